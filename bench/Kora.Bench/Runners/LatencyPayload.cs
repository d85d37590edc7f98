using System.Buffers.Binary;

namespace Kora.Bench.Runners;

/// <summary>
/// Layout of a latency message: run id (8 bytes), send time as Stopwatch ticks (8 bytes), a
/// "measured" flag (1 byte, 0 during warm-up), then filler up to the message size.
/// </summary>
internal static class LatencyPayload
{
    public const int HeaderSize = 17;

    public static byte[] Create(int size, long runId, long sendTicks, bool measured)
    {
        var payload = new byte[Math.Max(size, HeaderSize)];
        BinaryPrimitives.WriteInt64LittleEndian(payload, runId);
        BinaryPrimitives.WriteInt64LittleEndian(payload.AsSpan(8), sendTicks);
        payload[16] = measured ? (byte)1 : (byte)0;
        return payload;
    }

    /// <summary>The send time of a measured message of this run, or null for anything else.</summary>
    public static long? MeasuredSendTicks(ReadOnlySpan<byte> payload, long runId) =>
        payload.Length >= HeaderSize && BinaryPrimitives.ReadInt64LittleEndian(payload) == runId && payload[16] == 1
            ? BinaryPrimitives.ReadInt64LittleEndian(payload[8..])
            : null;
}
