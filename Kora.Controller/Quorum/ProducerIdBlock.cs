using Kora.Protocol.Primitives;

namespace Kora.Controller.Quorum;

/// <summary>A block of producer ids handed to one broker (AllocateProducerIds).</summary>
public sealed record ProducerIdBlock(ErrorCode Error, long Start, int Length);
