namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>A produce the leader acknowledged with acks=all: where it landed and the batch CRC it has there.</summary>
internal sealed record AckedProduce(int Value, long Offset, uint Crc, int Leader, int LeaderEpoch);
