using System.Buffers;
using System.Text;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Compression;
using Kora.Protocol.Records;

namespace Kora.IntegrationTests.Compaction;

/// <summary>
/// Batches compressed by a real client (librdkafka 2.15 through Confluent.Kafka), read raw from the broker's segment
/// file and decoded by Kora's codecs; then re-encoded by Kora and decoded again.
/// </summary>
public class CodecInteropTests(BrokerFixture fixture) : IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData(CompressionType.Gzip, CompressionCodec.Gzip)]
    [InlineData(CompressionType.Snappy, CompressionCodec.Snappy)]
    [InlineData(CompressionType.Lz4, CompressionCodec.Lz4)]
    [InlineData(CompressionType.Zstd, CompressionCodec.Zstd)]
    public async Task ClientCompressedBatches_DecodeAndRoundTrip(CompressionType clientCodec, CompressionCodec codec)
    {
        var topic = $"codec-raw-{Guid.NewGuid():N}";
        using (var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = fixture.Broker.BootstrapServers }).Build())
        {
            await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = 1, ReplicationFactor = 1 }]);
        }
        var sent = Enumerable.Range(0, 500).Select(i => ($"key-{i}", $"value-{i}-{new string((char)('a' + (i % 26)), i % 200)}")).ToList();
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig
        {
            BootstrapServers = fixture.Broker.BootstrapServers,
            CompressionType = clientCodec,
            LingerMs = 20,
        }).Build())
        {
            foreach (var (key, value) in sent)
            {
                producer.Produce(topic, new Message<string, string> { Key = key, Value = value });
            }
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(30)));
        }

        var segment = await File.ReadAllBytesAsync(Path.Combine(fixture.Broker.DataDir, $"{topic}-0", $"{0:D20}.log"));
        var decoded = new List<(string, string)>();
        var compressedBatches = 0;
        var position = 0;
        while (position < segment.Length)
        {
            var (records, size, isCompressed) = Decode(segment.AsSpan(position), codec);
            decoded.AddRange(records);
            compressedBatches += isCompressed ? 1 : 0;
            position += size;
        }

        Assert.Equal(sent, decoded);
        Assert.True(compressedBatches > 0, $"no batch used {codec}");
    }

    private static (List<(string, string)> Records, int Size, bool Compressed) Decode(Span<byte> bytes, CompressionCodec codec)
    {
        var batch = new RecordBatch(bytes);
        Assert.True(batch.IsCrcValid);
        var isCompressed = batch.Compression != CompressionCodec.None;
        if (isCompressed)
        {
            Assert.Equal(codec, batch.Compression);
        }
        var plain = BatchRecords.Uncompressed(batch, new ArrayBufferWriter<byte>()).ToArray();
        if (isCompressed)
        {
            // Kora's encoder, read back by Kora's decoder.
            var again = new ArrayBufferWriter<byte>();
            RecordCompression.Compress(codec, plain, again);
            var back = new ArrayBufferWriter<byte>();
            RecordCompression.Decompress(codec, again.WrittenSpan, back);
            Assert.Equal(plain, back.WrittenSpan.ToArray());
        }
        var records = new List<(string, string)>();
        ReadOnlySpan<byte> rest = plain;
        for (var i = 0; i < batch.RecordsCount; i++)
        {
            var record = new RecordReader(rest);
            Assert.Equal(i, record.OffsetDelta);
            records.Add((Encoding.UTF8.GetString(record.Key), Encoding.UTF8.GetString(record.Value)));
            rest = rest[record.TotalSize..];
        }
        Assert.True(rest.IsEmpty);
        return (records, batch.SizeInBytes, isCompressed);
    }
}
