using System.Buffers;
using Kora.Protocol.Primitives;

namespace Kora.Protocol.Tests.Messages;

/// <summary>Every generated message, in every version it supports: write, read back, write again, same bytes.</summary>
public class RoundTripTests
{
    public static TheoryData<string> MessageNames()
    {
        var data = new TheoryData<string>();
        foreach (var type in MessageFactory.AllMessageTypes())
        {
            data.Add(type.Name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(MessageNames))]
    public void WriteReadWrite_EveryVersion_IsByteIdentical(string name)
    {
        var type = MessageFactory.AllMessageTypes().Single(t => t.Name == name);
        var (low, high) = MessageFactory.Versions(type);
        for (var version = low; version <= high; version++)
        {
            for (var seed = 0; seed < 5; seed++)
            {
                var message = (IKafkaMessage)MessageFactory.Fill(type, new Random(seed * 1000 + version), 0);
                var first = Serialize(message, version);
                Assert.Equal(message.ComputeSize(version), first.Length);

                var copy = (IKafkaMessage)Activator.CreateInstance(type)!;
                var reader = new KafkaReader(first);
                copy.Read(ref reader, version);
                Assert.True(reader.End, $"{name} v{version}: {reader.Remaining} bytes left unread");

                var second = Serialize(copy, version);
                Assert.True(first.AsSpan().SequenceEqual(second), $"{name} v{version} seed {seed}: bytes differ after a round trip");
            }
        }
    }

    [Fact]
    public void Generator_CoversEveryApiKeyKoraServesAndMore()
    {
        var count = MessageFactory.AllMessageTypes().Count();
        Assert.True(count > 150, $"only {count} message types generated");
    }

    internal static byte[] Serialize(IKafkaMessage message, short version)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        message.Write(ref writer, version);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
