using System.Globalization;
using Kora.Broker.Metadata;
using Kora.Metadata;
using Kora.Raft;
using Kora.Raft.Core;
using Kora.Raft.Hosting;
using Kora.Raft.Log;
using Kora.Raft.Network;
using Kora.Raft.Quorum;
using Kora.Raft.Storage;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Cluster;

/// <summary>
/// The broker's replica of the metadata log in cluster mode: a Raft observer (never a voter) that fetches
/// committed records from the quorum leader into its own log in <c>DataDir/__cluster_metadata-0</c>,
/// applies them to the image and publishes it through the <see cref="MetadataStore"/>, so every listener
/// reacts as it does to local writes. It snapshots its image as the controllers do, and on a clean stop,
/// so a restart loads the snapshot, replays the local log above it and fetches only what is new.
/// </summary>
public sealed partial class MetadataObserver : IRaftListener, IAsyncDisposable
{
    private readonly MetadataStore _store;
    private readonly BrokerOptions _options;
    private readonly ILogger<MetadataObserver> _logger;
    private readonly RaftLoop _loop;
    private readonly Lock _waitersLock = new();
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _caughtUp = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PhysicalFileSystem? _fs;
    private KafkaRaftNetwork? _network;
    private RaftCore? _core;
    private MetadataImage _image = MetadataImage.Empty;
    private OffsetAndEpoch? _lastBatch;
    private OffsetAndEpoch? _lastSnapshot;
    private long _bytesSinceSnapshot;
    private volatile int _leaderId = -1;
    private long _highWatermark;
    private bool _started;
    private Action<MetadataImage>? _onCaughtUp;

    public MetadataObserver(MetadataStore store, IOptions<BrokerOptions> options, IHostApplicationLifetime lifetime, ILogger<MetadataObserver> logger)
    {
        _store = store;
        _options = options.Value;
        _logger = logger;
        _loop = new RaftLoop(logger, _ =>
        {
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        });
    }

    /// <summary>The image as last published (the store's current image).</summary>
    public MetadataImage Image => _store.Image;

    /// <summary>The quorum leader this observer last heard of, or -1.</summary>
    public int LeaderId => _leaderId;

    /// <summary>The committed end of the metadata log as the leader last reported it.</summary>
    public long HighWatermark => Volatile.Read(ref _highWatermark);

    /// <summary>Finishes once the image has applied everything the leader had committed when this observer first reached it.</summary>
    public Task CaughtUp => _caughtUp.Task;

    /// <summary>
    /// Starts following the log. <paramref name="onCaughtUp"/> runs once, on the thread that applies images,
    /// with the first caught-up image: no other image is published while it runs (the place to clean up
    /// what the image no longer names).
    /// </summary>
    public void Start(Action<MetadataImage>? onCaughtUp = null)
    {
        _onCaughtUp = onCaughtUp;
        var voters = QuorumVoters.Parse(_options.ControllerQuorumVoters ?? "");
        var directory = Path.Combine(Path.GetFullPath(_options.DataDir), MetadataStore.LogDirectoryName);
        _fs = new PhysicalFileSystem();
        var log = FileRaftLog.Open(_fs, directory, _logger);
        var state = new FileQuorumStateStore(_fs, Path.Combine(directory, FileQuorumStateStore.FileName));
        _network = new KafkaRaftNetwork(_options.NodeId, voters, new RaftTransportSettings(), _loop, _logger);
        var config = new RaftConfig
        {
            NodeId = _options.NodeId,
            Voters = [.. voters.Keys],
            ClusterId = string.IsNullOrEmpty(_options.ClusterId) ? null : _options.ClusterId,
        };
        if (config.IsVoter)
        {
            throw new InvalidOperationException($"Broker {_options.NodeId} has the node id of a controller in {_options.ControllerQuorumVoters}.");
        }
        _core = new RaftCore(config, log, state, _network, this, new Random(), _logger, flusher: _loop);
        _loop.Tick = (core, _) => AfterPoll(core);
        _loop.Start(_core, "kora-metadata-observer-" + _options.NodeId.ToString(CultureInfo.InvariantCulture));
        _started = true;
        Log.Started(_logger, _options.NodeId, string.Join(",", voters.Keys), directory);
    }

    /// <summary>Waits until the published image has applied <paramref name="offset"/> (the last offset of a record).</summary>
    public async Task WaitForOffsetAsync(long offset, CancellationToken cancellation)
    {
        while (true)
        {
            Task next;
            lock (_waitersLock)
            {
                if (_store.Image.Offset >= offset)
                {
                    return;
                }
                next = _published.Task;
            }
            await next.WaitAsync(cancellation).ConfigureAwait(false);
        }
    }

    public void OnCommit(RaftBatch batch)
    {
        if (!batch.IsControl)
        {
            var offset = batch.BaseOffset;
            foreach (var value in batch.Values())
            {
                _image = MetadataImageBuilder.Apply(_image, MetadataRecordSerde.Deserialize(value), offset++);
            }
            _bytesSinceSnapshot += batch.Bytes.Length;
        }
        _image = _image with { Offset = batch.LastOffset };
        _lastBatch = new OffsetAndEpoch(batch.EndOffset, batch.Epoch);
    }

    public void OnLoadSnapshot(OffsetAndEpoch id, ReadOnlyMemory<byte> content)
    {
        _image = MetadataSnapshot.Read(content, id.Offset - 1);
        _lastBatch = id;
        _lastSnapshot = id;
        _bytesSinceSnapshot = 0;
        Log.SnapshotLoaded(_logger, id.ToString(), _image.TopicsByName.Count, _image.Brokers.Count);
    }

    public void OnLeaderChange(int leaderId, int epoch)
    {
        _leaderId = leaderId;
        Log.LeaderChanged(_logger, leaderId, epoch);
    }

    /// <summary>
    /// Publishes what the poll delivered as one image change (not one per batch: a catch-up of thousands
    /// of batches is one change for the partition manager), then snapshots when enough was applied.
    /// </summary>
    private long AfterPoll(RaftCore core)
    {
        Volatile.Write(ref _highWatermark, core.HighWatermark);
        _leaderId = core.LeaderId;
        if (!ReferenceEquals(_image, _store.Image))
        {
            _store.Publish(_image);
            lock (_waitersLock)
            {
                var published = _published;
                _published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                published.TrySetResult();
            }
        }
        // At start the high watermark is only the local log's start; caught up means up to the leader's.
        if (!_caughtUp.Task.IsCompleted && core.HasFetchedFromLeader && core.HighWatermark > 0 && core.DeliveredOffset >= core.HighWatermark)
        {
            _onCaughtUp?.Invoke(_image);
            _caughtUp.TrySetResult();
            Log.CaughtUp(_logger, core.HighWatermark, _image.TopicsByName.Count, _image.Brokers.Count);
        }
        if (_bytesSinceSnapshot >= _options.MetadataLogMaxRecordBytesBetweenSnapshots)
        {
            Snapshot(core);
        }
        return long.MaxValue;
    }

    private void Snapshot(RaftCore core)
    {
        if (_lastBatch is not { } id || id == _lastSnapshot || _bytesSinceSnapshot == 0)
        {
            return;
        }
        var content = MetadataSnapshot.Write(_image, id.Epoch, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        try
        {
            core.CreateSnapshot(id, content);
        }
        catch (ArgumentException e)
        {
            // The batch end was not in the local log (it came in a snapshot): wait for the next batch.
            Log.SnapshotFailed(_logger, id.ToString(), e.Message);
            _bytesSinceSnapshot = 0;
            return;
        }
        _lastSnapshot = id;
        _bytesSinceSnapshot = 0;
        Log.SnapshotWritten(_logger, id.ToString(), content.Length);
    }

    /// <summary>Snapshots what was applied (a restart then loads it instead of replaying the log) and stops.</summary>
    public async Task StopAsync()
    {
        if (!_started)
        {
            return;
        }
        _started = false;
        var snapshotted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _loop.Post(core =>
        {
            Snapshot(core);
            snapshotted.TrySetResult();
        });
        await snapshotted.Task.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        await _loop.StopAsync(TimeSpan.Zero).ConfigureAwait(false);
        if (_network is not null)
        {
            await _network.DisposeAsync().ConfigureAwait(false);
        }
        _fs?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _loop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Broker {NodeId} observes the metadata quorum of voters {Voters}; log in {Directory}")]
        public static partial void Started(ILogger logger, int nodeId, string voters, string directory);

        [LoggerMessage(2, LogLevel.Information, "Metadata caught up to offset {HighWatermark}: {Topics} topics, {Brokers} brokers")]
        public static partial void CaughtUp(ILogger logger, long highWatermark, int topics, int brokers);

        [LoggerMessage(3, LogLevel.Information, "The metadata quorum leader is now {LeaderId} (epoch {Epoch})")]
        public static partial void LeaderChanged(ILogger logger, int leaderId, int epoch);

        [LoggerMessage(4, LogLevel.Information, "Loaded metadata snapshot {Snapshot}: {Topics} topics, {Brokers} brokers")]
        public static partial void SnapshotLoaded(ILogger logger, string snapshot, int topics, int brokers);

        [LoggerMessage(5, LogLevel.Information, "Wrote metadata snapshot {Snapshot} ({Bytes} bytes)")]
        public static partial void SnapshotWritten(ILogger logger, string snapshot, int bytes);

        [LoggerMessage(6, LogLevel.Warning, "Metadata snapshot {Snapshot} skipped: {Reason}")]
        public static partial void SnapshotFailed(ILogger logger, string snapshot, string reason);
    }
}
