using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using Kora.Protocol.Compression;
using Kora.Protocol.Records;

namespace Kora.Protocol.Tests.Compression;

public sealed class RecordCompressionTests
{
    public static TheoryData<CompressionCodec> Codecs => [CompressionCodec.Gzip, CompressionCodec.Snappy, CompressionCodec.Lz4, CompressionCodec.Zstd];

    private static byte[] Sample(int size, int seed = 1)
    {
        var random = new Random(seed);
        var bytes = new byte[size];
        for (var i = 0; i < size; i++)
        {
            // Half text-like (compressible), half noise.
            bytes[i] = i % 1024 < 512 ? (byte)('a' + (i % 23)) : (byte)random.Next(256);
        }
        return bytes;
    }

    private static byte[] Compress(CompressionCodec codec, byte[] data)
    {
        var output = new ArrayBufferWriter<byte>();
        RecordCompression.Compress(codec, data, output);
        return output.WrittenSpan.ToArray();
    }

    private static byte[] Decompress(CompressionCodec codec, ReadOnlySpan<byte> data, int max = int.MaxValue)
    {
        var output = new ArrayBufferWriter<byte>();
        RecordCompression.Decompress(codec, data, output, max);
        return output.WrittenSpan.ToArray();
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void RoundTrip_SmallEmptyAndLarge(CompressionCodec codec)
    {
        foreach (var size in new[] { 0, 1, 100, 70_000, 1_000_000 })
        {
            var data = Sample(size, size);
            var compressed = Compress(codec, data);
            Assert.Equal(data, Decompress(codec, compressed));
            if (size >= 70_000)
            {
                Assert.True(compressed.Length < data.Length, $"{codec} did not compress {size} bytes");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Truncated_ThrowsInvalidData(CompressionCodec codec)
    {
        var compressed = Compress(codec, Sample(200_000));

        Assert.Throws<InvalidDataException>(() => Decompress(codec, compressed.AsSpan(0, compressed.Length / 2)));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void Garbage_ThrowsInvalidData(CompressionCodec codec)
    {
        var garbage = Sample(5_000, 99);
        garbage[0] = 0xFF;

        Assert.Throws<InvalidDataException>(() => Decompress(codec, garbage));
    }

    [Theory]
    [MemberData(nameof(Codecs))]
    public void OutputBeyondTheLimit_ThrowsInvalidData(CompressionCodec codec)
    {
        var compressed = Compress(codec, new byte[1_000_000]);

        Assert.Throws<InvalidDataException>(() => Decompress(codec, compressed, max: 100_000));
    }

    [Fact]
    public void UnknownCodec_IsNotSupported()
    {
        Assert.Throws<NotSupportedException>(() => Decompress((CompressionCodec)5, [1, 2, 3]));
    }

    [Fact]
    public void Snappy_WritesXerialFraming_InBlocksOf32KiB()
    {
        var data = Sample(100_000);
        var compressed = Compress(CompressionCodec.Snappy, data);

        Assert.Equal([0x82, (byte)'S', (byte)'N', (byte)'A', (byte)'P', (byte)'P', (byte)'Y', 0], compressed[..8]);
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(8)));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(12)));
        var blocks = 0;
        var position = 16;
        while (position < compressed.Length)
        {
            position += 4 + BinaryPrimitives.ReadInt32BigEndian(compressed.AsSpan(position));
            blocks++;
        }
        Assert.Equal(position, compressed.Length);
        Assert.Equal(4, blocks);
    }

    [Fact]
    public void Snappy_ReadsARawBlock_AsLibrdkafkaWritesIt()
    {
        var data = Sample(50_000);
        var raw = IronSnappy.Snappy.Encode(data);

        Assert.Equal(data, Decompress(CompressionCodec.Snappy, raw));
    }

    [Fact]
    public void Lz4_WritesKafkasFrameDescriptor()
    {
        var compressed = Compress(CompressionCodec.Lz4, Sample(1000));

        Assert.Equal(0x184D2204u, BinaryPrimitives.ReadUInt32LittleEndian(compressed));
        // FLG: version 01, independent blocks, no block or content checksum, no content size. BD: 64 KiB blocks.
        Assert.Equal(0x60, compressed[4]);
        Assert.Equal(0x40, compressed[5]);
    }

    [Fact]
    public void Gzip_ReadsConcatenatedMembers()
    {
        var first = Sample(1000, 1);
        var second = Sample(2000, 2);
        using var stream = new MemoryStream();
        foreach (var part in new[] { first, second })
        {
            using var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
            gzip.Write(part);
        }

        Assert.Equal([.. first, .. second], Decompress(CompressionCodec.Gzip, stream.ToArray()));
    }

    [Theory]
    [InlineData(CompressionCodec.Lz4)]
    [InlineData(CompressionCodec.Zstd)]
    public void ConsecutiveFrames_DecodeAsOneStream(CompressionCodec codec)
    {
        var first = Sample(3000, 1);
        var second = Sample(5000, 2);

        Assert.Equal([.. first, .. second], Decompress(codec, [.. Compress(codec, first), .. Compress(codec, second)]));
    }

    [Fact]
    public void BatchRecords_DecompressesOnlyCompressedBatches()
    {
        var plain = new RecordBatchBuilder(1000).Add("k"u8, "v"u8, 1000).Build();
        var scratch = new ArrayBufferWriter<byte>();

        var records = BatchRecords.Uncompressed(new RecordBatch(plain), scratch);

        Assert.Equal(new RecordBatch(plain).RecordsBytes.ToArray(), records.ToArray());
        Assert.Equal(0, scratch.WrittenCount);
    }
}
