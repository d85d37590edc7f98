using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using Kora.Broker.Cluster;
using Kora.Broker.Partitions;
using Kora.Broker.Replication;
using Kora.Broker.Telemetry;
using Kora.Metadata;
using Kora.Protocol.Messages;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Kora.Broker.Tests.Replication;

/// <summary>
/// ISR changes go to the controller as AlterPartition v3 (topic id, leader and partition epochs, members with
/// broker epochs) through the controller channel; the answer is applied to the partition, a refusal drops it.
/// The controller here is a scripted socket that answers as the spec says.
/// </summary>
public sealed class IsrChangeSenderTests : IAsyncDisposable
{
    private static readonly Guid TopicId = Guid.NewGuid();
    private readonly DirectoryInfo _dataDir = Directory.CreateTempSubdirectory("kora-isr-sender-");
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly TcpListener _controller = new(IPAddress.Loopback, 0);
    private readonly PartitionManager _manager;
    private readonly ControllerChannel _channel;
    private readonly IsrChangeSender _sender;

    public IsrChangeSenderTests()
    {
        _controller.Start();
        var options = new BrokerOptions { NodeId = 1, DataDir = _dataDir.FullName, ControllerQuorumVoters = "3001@127.0.0.1:1" };
        _manager = new PartitionManager(Options.Create(options), TimeProvider.System, new BrokerMetrics(_services.GetRequiredService<IMeterFactory>()), NullLogger<PartitionManager>.Instance);
        _channel = new ControllerChannel(new Dictionary<int, EndPoint> { [3001] = _controller.LocalEndpoint }, () => 3001, "test", TimeSpan.FromSeconds(10), NullLogger.Instance);
        _sender = new IsrChangeSender(_channel, () => 42, _manager, options, TimeProvider.System, NullLogger<IsrChangeSender>.Instance);
        var topic = new TopicImage("orders", TopicId, [new PartitionImage(0, [1, 2, 3], [1, 2], 1, 5, 7)],
            ImmutableDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal));
        _manager.OnImageChanged(MetadataImage.Empty, MetadataImage.Empty.WithTopic(topic));
    }

    private Partition Partition => _manager.Get("orders", 0)!;

    /// <summary>Answers one AlterPartition with <paramref name="answer"/> and returns the request as received, with its version.</summary>
    private async Task<(AlterPartitionRequest Request, short Version)> AnswerOnceAsync(Func<AlterPartitionRequest, AlterPartitionResponse> answer)
    {
        using var socket = await _controller.AcceptSocketAsync();
        await using var stream = new NetworkStream(socket);
        var prefix = new byte[4];
        await stream.ReadExactlyAsync(prefix);
        var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(prefix)];
        await stream.ReadExactlyAsync(frame);
        var (request, header) = Parse(frame);
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new KafkaWriter(buffer);
        var response = answer(request);
        writer.WriteInt32(4 + 1 + response.ComputeSize(header.ApiVersion));
        writer.WriteInt32(header.CorrelationId);
        writer.WriteUnsignedVarInt(0);
        response.Write(ref writer, header.ApiVersion);
        writer.Flush();
        await stream.WriteAsync(buffer.WrittenMemory);
        return (request, header.ApiVersion);
    }

    private static (AlterPartitionRequest, RequestHeader) Parse(byte[] frame)
    {
        var reader = new KafkaReader(frame);
        var header = RequestHeader.Read(ref reader, (_, _) => true);
        Assert.Equal(AlterPartitionRequest.ApiKey, header.ApiKey);
        var request = new AlterPartitionRequest();
        request.Read(ref reader, header.ApiVersion);
        return (request, header);
    }

    [Fact]
    public async Task AnExpansion_IsSentAsAlterPartitionV3_AndTheCommittedIsrApplied()
    {
        Partition.RecordFollowerFetch(3, 77, 0, 0, 1_000, out var expansion);
        Assert.NotNull(expansion);
        var answered = AnswerOnceAsync(request => new AlterPartitionResponse
        {
            Topics = [new AlterPartitionResponse.TopicData { TopicId = TopicId, Partitions = [new AlterPartitionResponse.PartitionData { PartitionIndex = 0, LeaderId = 1, LeaderEpoch = 5, Isr = [1, 2, 3], PartitionEpoch = 8 }] }],
        });
        _sender.Submit(Partition, expansion);
        var (sent, version) = await answered.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(3, version);
        Assert.Equal(1, sent.BrokerId);
        Assert.Equal(42, sent.BrokerEpoch);
        var partition = Assert.Single(Assert.Single(sent.Topics).Partitions);
        Assert.Equal(TopicId, sent.Topics[0].TopicId);
        Assert.Equal(5, partition.LeaderEpoch);
        Assert.Equal(7, partition.PartitionEpoch);
        Assert.Equal([(1, 42L), (2, -1L), (3, 77L)], partition.NewIsrWithEpochs.Select(b => (b.BrokerId, b.BrokerEpoch)));
        await WaitForAsync(() => Partition.PendingIsrChange is null);
        Assert.Equal([1, 2, 3], Partition.Isr);
        Assert.Equal(8, Partition.PartitionEpoch);
    }

    [Fact]
    public async Task ARefusal_DropsTheChange_AndTheIsrStays()
    {
        Partition.RecordFollowerFetch(3, 77, 0, 0, 1_000, out var expansion);
        var answered = AnswerOnceAsync(_ => new AlterPartitionResponse
        {
            Topics = [new AlterPartitionResponse.TopicData { TopicId = TopicId, Partitions = [new AlterPartitionResponse.PartitionData { PartitionIndex = 0, ErrorCode = (short)ErrorCode.IneligibleReplica }] }],
        });
        _sender.Submit(Partition, expansion!);
        await answered.WaitAsync(TimeSpan.FromSeconds(10));
        await WaitForAsync(() => Partition.PendingIsrChange is null);
        Assert.Equal([1, 2], Partition.Isr);
        Assert.Equal(7, Partition.PartitionEpoch);
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 10 s");
            await Task.Delay(10);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _sender.Dispose();
        await _channel.DisposeAsync();
        _manager.Dispose();
        _controller.Stop();
        await _services.DisposeAsync();
        _dataDir.Delete(recursive: true);
    }
}
