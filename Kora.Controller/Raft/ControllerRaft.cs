using Kora.Controller.Quorum;
using Kora.Raft;
using Kora.Raft.Core;
using Kora.Raft.Hosting;
using Kora.Raft.Log;
using Kora.Raft.Network;
using Kora.Raft.Quorum;
using Kora.Raft.Storage;
using Microsoft.Extensions.Options;

namespace Kora.Controller.Raft;

/// <summary>
/// This controller's replica of the metadata quorum: the file log and quorum-state file in
/// <c>DataDir/__cluster_metadata-0</c>, the Kafka-protocol transport to the other voters, the Raft core
/// and the <see cref="QuorumController"/> on one <see cref="RaftLoop"/>. Everything that touches the
/// core or the state machine goes through <see cref="RunAsync{T}"/>.
/// </summary>
public sealed partial class ControllerRaft : IHostedService, IAsyncDisposable
{
    public const string LogDirectoryName = "__cluster_metadata-0";
    private readonly ControllerOptions _options;
    private readonly ILogger<ControllerRaft> _logger;
    private readonly PhysicalFileSystem _fs = new();
    private readonly RaftLoop _loop;
    private readonly RaftCoreLog _coreLog = new();
    private KafkaRaftNetwork? _network;
    private bool _started;

    public ControllerRaft(IOptions<ControllerOptions> options, IHostApplicationLifetime lifetime, ILogger<ControllerRaft> logger)
    {
        _options = options.Value;
        _logger = logger;
        _loop = new RaftLoop(logger, _ =>
        {
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        });
        Controller = new QuorumController(_options.NodeId, _options, _coreLog, () => RaftLoop.Now, logger);
    }

    public QuorumController Controller { get; }

    public KafkaRaftNetwork Network => _network ?? throw new InvalidOperationException("The Raft replica has not started.");

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var voters = QuorumVoters.Parse(_options.QuorumVoters);
        var directory = Path.Combine(Path.GetFullPath(_options.DataDir), LogDirectoryName);
        var log = FileRaftLog.Open(_fs, directory, _logger);
        var store = new FileQuorumStateStore(_fs, Path.Combine(directory, FileQuorumStateStore.FileName));
        _network = new KafkaRaftNetwork(_options.NodeId, voters, new RaftTransportSettings(), _loop, _logger);
        var config = new RaftConfig
        {
            NodeId = _options.NodeId,
            Voters = [.. voters.Keys],
            ClusterId = _options.ClusterId,
            ElectionTimeoutMs = _options.ElectionTimeoutMs,
            FetchTimeoutMs = _options.FetchTimeoutMs,
            ElectionBackoffMaxMs = _options.ElectionBackoffMaxMs,
            RequestTimeoutMs = _options.RequestTimeoutMs,
            RetryBackoffMs = _options.RetryBackoffMs,
            UnreachableLeaderTimeoutMs = _options.UnreachableLeaderTimeoutMs,
            AppendLingerMs = _options.AppendLingerMs,
        };
        var core = new RaftCore(config, log, store, _network, Controller, new Random(), _logger, flusher: _loop);
        _coreLog.Core = core;
        _loop.Tick = (_, now) => Controller.Tick(now);
        _loop.Start(core, "kora-raft-" + _options.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _started = true;
        Log.Started(_logger, _options.NodeId, string.Join(",", voters.Keys), directory);
        return Task.CompletedTask;
    }

    /// <summary>Runs <paramref name="operation"/> on the Raft loop and waits for the task it starts there.</summary>
    public async Task<T> RunAsync<T>(Func<QuorumController, long, Task<T>> operation, CancellationToken cancellation)
    {
        var started = new TaskCompletionSource<Task<T>>(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(_ =>
        {
            try
            {
                started.TrySetResult(operation(Controller, RaftLoop.Now));
            }
            catch (Exception e)
            {
                started.TrySetException(e);
            }
        });
        var running = await started.Task.WaitAsync(cancellation).ConfigureAwait(false);
        return await running.WaitAsync(cancellation).ConfigureAwait(false);
    }

    /// <summary>Runs <paramref name="action"/> on the Raft loop without waiting for it (dropped once the loop stopped).</summary>
    public void Post(Action<QuorumController, long> action) => _loop.Post(_ => action(Controller, RaftLoop.Now));

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            return;
        }
        _started = false;
        await _loop.StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        if (_network is not null)
        {
            await _network.DisposeAsync().ConfigureAwait(false);
        }
        _fs.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _loop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Controller {NodeId} joined the metadata quorum of voters {Voters}; log in {Directory}")]
        public static partial void Started(ILogger logger, int nodeId, string voters, string directory);
    }
}
