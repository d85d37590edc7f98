using System.Diagnostics;
using System.Diagnostics.Metrics;
using Kora.Network;
using Kora.Storage.Compaction;

namespace Kora.Broker.Telemetry;

/// <summary>The broker's instruments, on the <c>Kora.Broker</c> meter that ServiceDefaults exports.</summary>
public sealed class BrokerMetrics : IKafkaServerTelemetry, IDisposable
{
    public const string MeterName = "Kora.Broker";
    private static readonly string[] ApiNames = BuildApiNames();
    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;
    private readonly Counter<long> _produceBytes;
    private readonly Counter<long> _produceMessages;
    private readonly Counter<long> _fetchBytes;
    private readonly Counter<long> _partitionReads;
    private readonly Counter<long> _replicaFetches;
    private readonly Histogram<double> _requestLatency;
    private readonly Histogram<double> _flushTime;
    private readonly UpDownCounter<long> _connections;
    private readonly Counter<long> _cleanerBytesRead;
    private readonly Counter<long> _cleanerBytesWritten;
    private readonly Counter<long> _cleanerRecordsRemoved;
    private readonly Histogram<double> _cleanerDuration;

    public BrokerMetrics(IMeterFactory meterFactory)
    {
        _meter = meterFactory.Create(MeterName);
        _requests = _meter.CreateCounter<long>("kora.broker.requests", "{request}", "Requests received, by API and version.");
        _bytesIn = _meter.CreateCounter<long>("kora.broker.network.bytes_in", "By", "Request bytes read from clients.");
        _bytesOut = _meter.CreateCounter<long>("kora.broker.network.bytes_out", "By", "Response bytes written to clients.");
        _produceBytes = _meter.CreateCounter<long>("kora.broker.produce.bytes", "By", "Record batch bytes appended to partitions.");
        _produceMessages = _meter.CreateCounter<long>("kora.broker.produce.records", "{record}", "Records appended to partitions.");
        _fetchBytes = _meter.CreateCounter<long>("kora.broker.fetch.bytes", "By", "Record bytes served to fetchers.");
        _partitionReads = _meter.CreateCounter<long>("kora.broker.fetch.partition_reads", "{read}",
            "Partition reads for consumer fetches, by this broker's role for the partition (leader, or follower serving KIP-392 fetch-from-follower).");
        _replicaFetches = _meter.CreateCounter<long>("kora.broker.replica_fetch.requests", "{request}",
            "Fetch requests this broker's replica fetchers sent, by kind: full, or incremental within a fetch session (KIP-227).");
        _requestLatency = _meter.CreateHistogram<double>("kora.broker.request.duration", "ms", "Time from a request's arrival to its response being written, by API.");
        _flushTime = _meter.CreateHistogram<double>("kora.broker.log.flush.duration", "ms", "Time of one fsync of a partition's log.");
        _connections = _meter.CreateUpDownCounter<long>("kora.broker.connections", "{connection}", "Open client connections.");
        _cleanerBytesRead = _meter.CreateCounter<long>("kora.broker.log_cleaner.bytes_cleaned", "By", "Bytes of segments the log cleaner rewrote.");
        _cleanerBytesWritten = _meter.CreateCounter<long>("kora.broker.log_cleaner.bytes_written", "By", "Bytes the log cleaner wrote to cleaned segments.");
        _cleanerRecordsRemoved = _meter.CreateCounter<long>("kora.broker.log_cleaner.records_removed", "{record}", "Records the log cleaner removed: superseded values, expired tombstones, aborted data.");
        _cleanerDuration = _meter.CreateHistogram<double>("kora.broker.log_cleaner.run.duration", "ms", "Time the log cleaner took to clean one partition.");
    }

    public void RequestReceived(short apiKey, short version, int bytes)
    {
        _requests.Add(1, new("api", ApiName(apiKey)), new("version", version));
        _bytesIn.Add(bytes);
    }

    public void ResponseSent(short apiKey, long bytes, TimeSpan elapsed)
    {
        if (bytes > 0)
        {
            _bytesOut.Add(bytes);
        }
        _requestLatency.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>("api", ApiName(apiKey)));
    }

    public void Appended(long bytes, long records)
    {
        _produceBytes.Add(bytes);
        _produceMessages.Add(records);
    }

    public void Fetched(long bytes) => _fetchBytes.Add(bytes);

    public void PartitionRead(bool asFollower) =>
        _partitionReads.Add(1, new KeyValuePair<string, object?>("role", asFollower ? "follower" : "leader"));

    public void ReplicaFetchSent(bool full) =>
        _replicaFetches.Add(1, new KeyValuePair<string, object?>("session", full ? "full" : "incremental"));

    public void Flushed(TimeSpan elapsed) => _flushTime.Record(elapsed.TotalMilliseconds);

    public void LogCleaned(CleanerStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        _cleanerBytesRead.Add(stats.BytesRead);
        _cleanerBytesWritten.Add(stats.BytesWritten);
        _cleanerRecordsRemoved.Add(stats.RecordsRemoved);
        _cleanerDuration.Record(stats.Elapsed.TotalMilliseconds);
    }

    public void ConnectionOpened() => _connections.Add(1);

    public void ConnectionClosed() => _connections.Add(-1);

    public Activity? StartRequest(short apiKey, short version, string? clientId) => BrokerActivitySource.StartRequest(apiKey, version, clientId);

    /// <summary>Registers gauges read on collection, such as partition and segment counts.</summary>
    public void ObserveGauge(string name, string unit, string description, Func<long> read) =>
        _meter.CreateObservableGauge(name, read, unit, description);

    public static string ApiName(short apiKey) => apiKey >= 0 && apiKey < ApiNames.Length ? ApiNames[apiKey] : "Unknown";

    private static string[] BuildApiNames()
    {
        var names = new string[128];
        for (var i = 0; i < names.Length; i++)
        {
            names[i] = Enum.IsDefined(typeof(ApiKeys), (short)i) ? ((ApiKeys)i).ToString() : "Unknown";
        }
        return names;
    }

    public void Dispose() => _meter.Dispose();
}
