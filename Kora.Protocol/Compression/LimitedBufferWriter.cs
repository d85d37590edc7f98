using System.Buffers;

namespace Kora.Protocol.Compression;

/// <summary>Caps what a decompressor may write, so a small corrupt or hostile payload cannot expand without bound.</summary>
internal sealed class LimitedBufferWriter(IBufferWriter<byte> inner, int maxBytes) : IBufferWriter<byte>
{
    private long _written;

    public long Written => _written;

    public void Advance(int count)
    {
        _written += count;
        if (_written > maxBytes)
        {
            throw new InvalidDataException($"Decompressed records exceed {maxBytes} bytes.");
        }
        inner.Advance(count);
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);
}
