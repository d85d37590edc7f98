namespace Kora.Protocol.Records;

/// <summary>The codec in bits 0-2 of a record batch's attributes.</summary>
public enum CompressionCodec : byte
{
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}
