using Kora.Broker.Groups;
using Kora.Broker.Transactions;
using Kora.Protocol.Primitives;

namespace Kora.Broker.Tests.Transactions;

public class TransactionLogCodecTests
{
    [Fact]
    public void Key_MatchesKafkasBytes()
    {
        // Coordinator record type 0 (transaction log), then the id as a classic int16-length string.
        Assert.Equal(Convert.FromHexString("0000" + "0003" + "74786E"), TransactionLogCodec.Key("txn"));
        Assert.Equal("txn", TransactionLogCodec.ReadKey(TransactionLogCodec.Key("txn")));
        Assert.Null(TransactionLogCodec.ReadKey(Convert.FromHexString("0001" + "0003" + "74786E")));
    }

    [Fact]
    public void OngoingValue_MatchesKafkasVersion0Bytes()
    {
        var transit = new TxnTransit(1000, -1, 5, -1, 60_000, TransactionState.Ongoing, new HashSet<TopicPartitionKey> { new("t", 0), new("t", 3) }, 1000, 1234);
        var expected = Convert.FromHexString(
            "0000" // value version 0
            + "00000000000003E8" // producer id 1000
            + "0005" // producer epoch
            + "0000EA60" // timeout 60000
            + "01" // Ongoing
            + "00000001" + "0001" + "74" + "00000002" + "00000000" + "00000003" // [ "t": [0, 3] ]
            + "00000000000004D2" // last update 1234
            + "00000000000003E8"); // start 1000
        Assert.Equal(expected, TransactionLogCodec.Value(transit));
    }

    [Fact]
    public void EmptyValue_HasANullPartitionList()
    {
        var transit = new TxnTransit(7, -1, 0, -1, 100, TransactionState.Empty, new HashSet<TopicPartitionKey>(), -1, 42);
        var expected = Convert.FromHexString("0000" + "0000000000000007" + "0000" + "00000064" + "00" + "FFFFFFFF" + "000000000000002A" + "FFFFFFFFFFFFFFFF");
        Assert.Equal(expected, TransactionLogCodec.Value(transit));
        Assert.Equal(transit with { Partitions = new HashSet<TopicPartitionKey>() }, TransactionLogCodec.ReadValue(expected), TransitComparer.Instance);
    }

    [Theory]
    [InlineData(TransactionState.Ongoing)]
    [InlineData(TransactionState.PrepareCommit)]
    [InlineData(TransactionState.PrepareAbort)]
    [InlineData(TransactionState.CompleteCommit)]
    [InlineData(TransactionState.CompleteAbort)]
    public void Values_RoundTrip(TransactionState state)
    {
        var partitions = new HashSet<TopicPartitionKey> { new("a", 0), new("a", 9), new("__consumer_offsets", 12), new("b", 2) };
        var transit = new TxnTransit(123456789012, -1, 17, -1, 900_000, state, partitions, 1_700_000_000_000, 1_700_000_000_500);
        var read = TransactionLogCodec.ReadValue(TransactionLogCodec.Value(transit));
        Assert.Equal(transit, read, TransitComparer.Instance);
    }

    [Fact]
    public void Version1_FlexibleValue_IsRead_WithItsPreviousProducerId()
    {
        var bytes = Convert.FromHexString(
            "0001" + "00000000000003E8" + "0002" + "00002710" + "02"
            + "02" + "02" + "74" + "03" + "00000001" + "00000004" + "00" // compact [ "t": [1, 4] ], no tags
            + "0000000000000064" + "0000000000000032"
            + "02" + "00" + "08" + "0000000000000309" + "02" + "02" + "0002"); // tags: previous producer id 777, client version 2
        var read = TransactionLogCodec.ReadValue(bytes);
        Assert.Equal(1000, read.ProducerId);
        Assert.Equal(777, read.LastProducerId);
        Assert.Equal(2, read.ProducerEpoch);
        Assert.Equal(10_000, read.TimeoutMs);
        Assert.Equal(TransactionState.PrepareCommit, read.State);
        Assert.Equal(new HashSet<TopicPartitionKey> { new("t", 1), new("t", 4) }, read.Partitions);
        Assert.Equal(100, read.LastUpdateTimestampMs);
        Assert.Equal(50, read.StartTimestampMs);
    }

    [Theory]
    [InlineData("0002" + "00000000000003E8")] // unknown version
    [InlineData("0000" + "00000000000003E8" + "0000" + "00000064" + "09")] // unknown state
    [InlineData("0000" + "0000")] // truncated
    public void CorruptValues_Throw(string hex)
    {
        Assert.Throws<KafkaProtocolException>(() => TransactionLogCodec.ReadValue(Convert.FromHexString(hex)));
    }

    private sealed class TransitComparer : IEqualityComparer<TxnTransit>
    {
        public static readonly TransitComparer Instance = new();

        public bool Equals(TxnTransit? x, TxnTransit? y) =>
            x is not null && y is not null
            && x with { Partitions = y.Partitions } == y
            && x.Partitions.SetEquals(y.Partitions);

        public int GetHashCode(TxnTransit obj) => obj.ProducerId.GetHashCode();
    }
}
