using Kora.Metadata;
using Kora.Protocol.Primitives;
using Kora.Protocol.Records;
using Kora.Storage.Log;

namespace Kora.Broker.Metadata;

/// <summary>
/// The broker's local copy of the metadata log (<c>__cluster_metadata-0</c> in its data folder) and the
/// image built from it. On a single node the broker authors the records itself; with a controller
/// quorum (<see cref="BrokerOptions.IsClusterMode"/>) the records arrive from the controller through the
/// observer (<see cref="Cluster.MetadataObserver"/>), which keeps its own Raft log, and this store only
/// publishes the images it builds.
/// </summary>
public sealed partial class MetadataStore : IDisposable
{
    public const string LogDirectoryName = "__cluster_metadata-0";
    private readonly PartitionLog? _log;
    private readonly List<IMetadataListener> _listeners = [];
    private readonly Lock _applyLock = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly ILogger<MetadataStore> _logger;
    private readonly TimeProvider _time;
    private MetadataImage _image = MetadataImage.Empty;

    public MetadataStore(string dataDir, TimeProvider time, ILogger<MetadataStore> logger, bool localLog = true)
    {
        _logger = logger;
        _time = time;
        _log = localLog ? PartitionLog.Open(Path.Combine(dataDir, LogDirectoryName), new LogConfig(), time, logger) : null;
    }

    /// <summary>True when this broker authors its own metadata (no controller quorum).</summary>
    public bool IsLocal => _log is not null;

    public MetadataImage Image => Volatile.Read(ref _image);

    public void Subscribe(IMetadataListener listener)
    {
        lock (_applyLock)
        {
            _listeners.Add(listener);
        }
    }

    /// <summary>Replays the local metadata log into the image, then tells listeners about the result.</summary>
    public void Load()
    {
        if (_log is null)
        {
            return;
        }
        var image = MetadataImage.Empty;
        var offset = _log.LogStartOffset;
        var end = _log.LogEndOffset;
        while (offset < end)
        {
            var fetched = _log.Read(offset, 1 << 20, end, minOneMessage: true);
            var source = fetched.Records;
            if (source is null || source.Length == 0)
            {
                break;
            }
            var bytes = new byte[source.Length];
            source.CopyTo(0, bytes);
            offset = ApplyBatches(ref image, bytes);
        }
        Log.Loaded(_logger, image.Offset + 1, image.TopicsByName.Count);
        Publish(image);
    }

    private static long ApplyBatches(ref MetadataImage image, byte[] bytes)
    {
        var span = bytes.AsSpan();
        var next = image.Offset + 1;
        while (span.Length >= RecordBatch.HeaderSize)
        {
            var batch = new RecordBatch(span);
            if (batch.SizeInBytes > span.Length)
            {
                break;
            }
            var records = batch.RecordsBytes;
            while (!records.IsEmpty)
            {
                var record = new RecordReader(records);
                var decoded = MetadataRecordSerde.Deserialize(record.Value.ToArray());
                image = MetadataImageBuilder.Apply(image, decoded, batch.BaseOffset + record.OffsetDelta);
                records = records[record.TotalSize..];
            }
            next = batch.LastOffset + 1;
            span = span[batch.SizeInBytes..];
        }
        return next;
    }

    /// <summary>
    /// Decides on the current image and, if the decision has records, appends them to the metadata log as
    /// one batch, fsyncs it and applies it before the next decision runs: validation and write are atomic.
    /// </summary>
    public async ValueTask<T> WriteAsync<T>(Func<MetadataImage, MetadataDecision<T>> decide, CancellationToken cancellation)
    {
        var log = _log ?? throw new InvalidOperationException("Metadata changes go to the controller quorum in cluster mode.");
        await _writeLock.WaitAsync(cancellation).ConfigureAwait(false);
        try
        {
            var decision = decide(Image);
            if (decision.Records.Count == 0)
            {
                return decision.Result;
            }
            var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var builder = new RecordBatchBuilder(now);
            foreach (var record in decision.Records)
            {
                builder.Add(default, MetadataRecordSerde.Serialize(record), now, nullKey: true);
            }
            var appended = log.Append(builder.Build(), now, 0);
            await log.FlushAsync(appended.LastOffset, cancellation).ConfigureAwait(false);
            log.UpdateHighWatermark(appended.LastOffset + 1);
            var image = Image;
            var offset = appended.BaseOffset;
            foreach (var record in decision.Records)
            {
                image = MetadataImageBuilder.Apply(image, record, offset++);
            }
            Publish(image);
            return decision.Result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Makes <paramref name="image"/> current and tells every listener, in order.</summary>
    public void Publish(MetadataImage image)
    {
        lock (_applyLock)
        {
            var previous = _image;
            Volatile.Write(ref _image, image);
            foreach (var listener in _listeners)
            {
                listener.OnImageChanged(previous, image);
            }
        }
    }

    public void Dispose() => _log?.Close();

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Loaded metadata log up to offset {Offset}: {Topics} topics")]
        public static partial void Loaded(ILogger logger, long offset, int topics);
    }
}
