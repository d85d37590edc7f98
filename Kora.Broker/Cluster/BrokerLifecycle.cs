using System.Globalization;
using Kora.Broker.Metadata;
using Kora.Metadata;
using Kora.Metadata.Configs;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Cluster;

/// <summary>
/// Kafka's BrokerLifecycleManager: registers this broker with the active controller (a fresh incarnation
/// id per start, its Kafka listener, rack and cell), heartbeats on <c>broker.heartbeat.interval.ms</c> to
/// keep its lease and get unfenced once its metadata caught up with its registration, and on stop runs
/// a controlled shutdown: heartbeats asking to shut down until the controller has moved every leadership
/// away and says so, bounded by <see cref="BrokerOptions.ControlledShutdownTimeoutMs"/>. Heartbeats go on
/// connections of their own: the active controller fences a broker soon after the connection carrying its
/// heartbeats closes, which is what a killed broker's connection does at once.
/// </summary>
public sealed partial class BrokerLifecycle(
    ControllerChannel controller, MetadataStore metadata, IOptions<BrokerOptions> options, ILogger<BrokerLifecycle> logger)
    : IHostedService
{
    private const int FencedHeartbeatIntervalMs = 100;
    private readonly BrokerOptions _options = options.Value;
    private readonly Guid _incarnationId = Guid.NewGuid();
    private readonly TaskCompletionSource _unfenced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private readonly ControllerChannel _heartbeatChannel = controller.CreateDedicated();
    private Task? _heartbeats;
    private (string Host, int Port) _listener;
    private long _brokerEpoch = -1;
    private volatile bool _shuttingDown;

    /// <summary>The epoch of this broker's current registration, or -1 before it registered.</summary>
    public long BrokerEpoch => Interlocked.Read(ref _brokerEpoch);

    /// <summary>Finishes when the controller first unfenced this broker: it may serve clients.</summary>
    public Task Unfenced => _unfenced.Task;

    /// <summary>Registers and starts heartbeating in the background; <see cref="Unfenced"/> tells when it is in.</summary>
    public void Start(string host, int port)
    {
        _listener = (host, port);
        _heartbeats = Task.Run(() => RunAsync(_stop.Token));
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                if (BrokerEpoch < 0)
                {
                    await RegisterAsync(stop).ConfigureAwait(false);
                    continue;
                }
                var fenced = await HeartbeatAsync(wantShutDown: false, stop).ConfigureAwait(false);
                await Task.Delay(fenced ? FencedHeartbeatIntervalMs : _options.BrokerHeartbeatIntervalMs, stop).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (TimeoutException e)
            {
                Log.ControllerUnavailable(logger, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The lease depends on this loop: report and keep heartbeating rather than lapse silently.
                Log.HeartbeatLoopFailed(logger, e);
                await Task.Delay(_options.BrokerHeartbeatIntervalMs / 4, stop).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task RegisterAsync(CancellationToken stop)
    {
        // The data folder belongs to this broker id: its last registration in the local image is the
        // previous incarnation's, which lets the controller replace it without waiting out its lease.
        var previous = metadata.Image.Brokers.TryGetValue(_options.NodeId, out var registered) ? registered.Epoch : -1;
        var response = await controller.SendAsync<BrokerRegistrationResponse>(BrokerRegistrationRequest.ApiKey, 4, flexible: true, new BrokerRegistrationRequest
        {
            BrokerId = _options.NodeId,
            ClusterId = _options.ClusterId,
            IncarnationId = _incarnationId,
            Listeners = [new BrokerRegistrationRequest.Listener { Name = "PLAINTEXT", Host = _listener.Host, Port = (ushort)_listener.Port, SecurityProtocol = 0 }],
            Rack = _options.Rack,
            PreviousBrokerEpoch = previous,
        }, r => r.ErrorCode == (short)ErrorCode.NotController, stop).ConfigureAwait(false);
        if (response.ErrorCode != 0)
        {
            Log.RegistrationRefused(logger, _options.NodeId, ((ErrorCode)response.ErrorCode).ToString());
            await Task.Delay(_options.BrokerHeartbeatIntervalMs / 4, stop).ConfigureAwait(false);
            return;
        }
        Interlocked.Exchange(ref _brokerEpoch, response.BrokerEpoch);
        Log.Registered(logger, _options.NodeId, response.BrokerEpoch, _incarnationId);
        await RegisterCellAsync(stop).ConfigureAwait(false);
    }

    /// <summary>BrokerRegistration has no field for a cell, so it is this broker's dynamic <c>kora.broker.cell</c> config.</summary>
    private async Task RegisterCellAsync(CancellationToken stop)
    {
        if (string.IsNullOrEmpty(_options.Cell) || metadata.Image.CellOf(_options.NodeId) == _options.Cell)
        {
            return;
        }
        var response = await controller.SendAsync<IncrementalAlterConfigsResponse>(IncrementalAlterConfigsRequest.ApiKey, 1, flexible: true, new IncrementalAlterConfigsRequest
        {
            Resources =
            [
                new IncrementalAlterConfigsRequest.AlterConfigsResource
                {
                    ResourceType = (sbyte)ConfigResourceType.Broker,
                    ResourceName = MetadataImage.BrokerResourceName(_options.NodeId),
                    Configs = [new IncrementalAlterConfigsRequest.AlterableConfig { Name = KoraConfigs.BrokerCell, ConfigOperation = 0, Value = _options.Cell }],
                },
            ],
        }, r => r.Responses.Any(x => x.ErrorCode == (short)ErrorCode.NotController), stop).ConfigureAwait(false);
        if (response.Responses.FirstOrDefault() is { ErrorCode: not 0 } failed)
        {
            Log.CellRefused(logger, _options.NodeId, _options.Cell, ((ErrorCode)failed.ErrorCode).ToString(), failed.ErrorMessage);
        }
    }

    /// <summary>One heartbeat; true while the broker is fenced.</summary>
    private async Task<bool> HeartbeatAsync(bool wantShutDown, CancellationToken cancellation)
    {
        var epoch = BrokerEpoch;
        var response = await _heartbeatChannel.SendAsync<BrokerHeartbeatResponse>(BrokerHeartbeatRequest.ApiKey, 1, flexible: true, new BrokerHeartbeatRequest
        {
            BrokerId = _options.NodeId,
            BrokerEpoch = epoch,
            CurrentMetadataOffset = metadata.Image.Offset,
            WantFence = false,
            WantShutDown = wantShutDown,
        }, r => r.ErrorCode == (short)ErrorCode.NotController, cancellation).ConfigureAwait(false);
        switch ((ErrorCode)response.ErrorCode)
        {
            case ErrorCode.None:
                break;
            case ErrorCode.StaleBrokerEpoch or ErrorCode.BrokerIdNotRegistered:
                // Another registration replaced ours (or the controller lost it): register again.
                Log.RegistrationLost(logger, _options.NodeId, epoch, ((ErrorCode)response.ErrorCode).ToString());
                Interlocked.CompareExchange(ref _brokerEpoch, -1, epoch);
                return true;
            default:
                Log.HeartbeatFailed(logger, _options.NodeId, ((ErrorCode)response.ErrorCode).ToString());
                return true;
        }
        if (wantShutDown)
        {
            return !response.ShouldShutDown;
        }
        if (!response.IsFenced && _unfenced.TrySetResult())
        {
            Log.Unfenced(logger, _options.NodeId, epoch);
        }
        return response.IsFenced;
    }

    /// <summary>Controlled shutdown, then the heartbeats stop; the lease then lapses on its own.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_heartbeats is null || _shuttingDown)
        {
            return;
        }
        _shuttingDown = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        await _heartbeats.ConfigureAwait(false);
        try
        {
            if (BrokerEpoch >= 0)
            {
                await ShutDownAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await _heartbeatChannel.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task ShutDownAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(_options.ControlledShutdownTimeoutMs);
        try
        {
            while (await HeartbeatAsync(wantShutDown: true, bounded.Token).ConfigureAwait(false))
            {
                await Task.Delay(FencedHeartbeatIntervalMs, bounded.Token).ConfigureAwait(false);
            }
            Log.ControlledShutdownDone(logger, _options.NodeId);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            Log.ControlledShutdownTimedOut(logger, _options.NodeId, _options.ControlledShutdownTimeoutMs);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Broker {NodeId} registered with epoch {Epoch} (incarnation {IncarnationId})")]
        public static partial void Registered(ILogger logger, int nodeId, long epoch, Guid incarnationId);

        [LoggerMessage(2, LogLevel.Warning, "The controller refused the registration of broker {NodeId}: {Error}; retrying")]
        public static partial void RegistrationRefused(ILogger logger, int nodeId, string error);

        [LoggerMessage(3, LogLevel.Information, "Broker {NodeId} (epoch {Epoch}) is unfenced")]
        public static partial void Unfenced(ILogger logger, int nodeId, long epoch);

        [LoggerMessage(4, LogLevel.Warning, "Broker {NodeId} lost its registration {Epoch}: {Error}; registering again")]
        public static partial void RegistrationLost(ILogger logger, int nodeId, long epoch, string error);

        [LoggerMessage(5, LogLevel.Warning, "Heartbeat of broker {NodeId} failed: {Error}")]
        public static partial void HeartbeatFailed(ILogger logger, int nodeId, string error);

        [LoggerMessage(6, LogLevel.Warning, "No active controller: {Reason}")]
        public static partial void ControllerUnavailable(ILogger logger, string reason);

        [LoggerMessage(7, LogLevel.Information, "Broker {NodeId} finished its controlled shutdown")]
        public static partial void ControlledShutdownDone(ILogger logger, int nodeId);

        [LoggerMessage(8, LogLevel.Warning, "Broker {NodeId}: controlled shutdown did not finish within {TimeoutMs} ms")]
        public static partial void ControlledShutdownTimedOut(ILogger logger, int nodeId, int timeoutMs);

        [LoggerMessage(10, LogLevel.Error, "Registration or heartbeat failed unexpectedly; retrying")]
        public static partial void HeartbeatLoopFailed(ILogger logger, Exception exception);

        [LoggerMessage(9, LogLevel.Warning, "The controller refused cell {Cell} for broker {NodeId}: {Error} {Message}")]
        public static partial void CellRefused(ILogger logger, int nodeId, string cell, string error, string? message);
    }
}
