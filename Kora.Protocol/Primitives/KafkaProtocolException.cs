namespace Kora.Protocol.Primitives;

/// <summary>A frame that does not parse as the message it claims to be.</summary>
public sealed class KafkaProtocolException(string message) : Exception(message);
