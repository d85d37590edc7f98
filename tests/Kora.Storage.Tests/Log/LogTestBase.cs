using Kora.Protocol.Primitives;
using Kora.Storage.Log;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kora.Storage.Tests.Log;

/// <summary>A temporary partition directory, a manual clock, and helpers shared by the log tests.</summary>
public abstract class LogTestBase : IDisposable
{
    private readonly List<PartitionLog> _logs = [];

    protected LogTestBase()
    {
        Root = Path.Combine(Path.GetTempPath(), "kora-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Dir = Path.Combine(Root, "topic-0");
    }

    protected string Root { get; }
    protected string Dir { get; }
    internal ManualTimeProvider Time { get; } = new(1_700_000_000_000);

    protected PartitionLog Open(LogConfig? config = null)
    {
        var log = PartitionLog.Open(Dir, config ?? LogConfig.Default, Time, NullLogger.Instance);
        _logs.Add(log);
        return log;
    }

    /// <summary>Appends a copy of <paramref name="batch"/> and returns the stored bytes (offsets assigned).</summary>
    protected static (AppendResult Result, byte[] Stored) Append(PartitionLog log, byte[] batch, long nowMs = 0)
    {
        var copy = (byte[])batch.Clone();
        var result = log.Append(copy, nowMs, leaderEpoch: 3);
        return (result, copy);
    }

    protected static byte[] Bytes(IRecordsSource source)
    {
        var bytes = new byte[source.Length];
        source.CopyTo(0, bytes);
        return bytes;
    }

    protected static byte[] ReadAll(PartitionLog log, long from = -1) =>
        Bytes(log.Read(from < 0 ? log.LogStartOffset : from, int.MaxValue, long.MaxValue, minOneMessage: true).Records);

    protected string SegmentFile(long baseOffset, string suffix) => Path.Combine(Dir, $"{baseOffset:D20}{suffix}");

    public void Dispose()
    {
        foreach (var log in _logs)
        {
            try
            {
                log.Close();
            }
            catch (ObjectDisposedException)
            {
            }
        }
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        GC.SuppressFinalize(this);
    }
}
