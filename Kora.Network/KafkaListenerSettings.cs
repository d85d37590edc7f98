namespace Kora.Network;

/// <summary>Per-connection limits of a Kafka listener, with Kafka's names: <c>socket.request.max.bytes</c> and the in-flight request bytes a connection may hold.</summary>
public sealed record KafkaListenerSettings(int SocketRequestMaxBytes, long MaxInFlightBytesPerConnection);
