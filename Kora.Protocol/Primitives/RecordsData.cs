namespace Kora.Protocol.Primitives;

/// <summary>
/// The value of a <c>records</c> field: bytes sliced from a request frame, or a source (log segment
/// regions) that the writer copies straight into the response buffer in chunks.
/// </summary>
public readonly struct RecordsData
{
    private const int ChunkSize = 64 * 1024;
    private readonly IRecordsSource? _source;

    public RecordsData(ReadOnlyMemory<byte> bytes)
    {
        Memory = bytes;
        _source = null;
    }

    public RecordsData(IRecordsSource source)
    {
        Memory = default;
        _source = source;
    }

    /// <summary>The bytes, when they are in memory (always the case for parsed requests).</summary>
    public ReadOnlyMemory<byte> Memory { get; }

    public IRecordsSource? Source => _source;

    public int Length => _source?.Length ?? Memory.Length;

    public static RecordsData Empty => new(ReadOnlyMemory<byte>.Empty);

    public void WriteTo(ref KafkaWriter writer)
    {
        if (_source is null)
        {
            writer.WriteRaw(Memory.Span);
            return;
        }
        long offset = 0;
        var length = _source.Length;
        while (offset < length)
        {
            var chunk = (int)Math.Min(ChunkSize, length - offset);
            _source.CopyTo(offset, writer.GetSpan(chunk));
            offset += chunk;
        }
    }
}
