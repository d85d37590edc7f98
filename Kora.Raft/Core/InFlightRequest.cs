namespace Kora.Raft.Core;

/// <summary>The one outstanding request to a destination.</summary>
internal readonly record struct InFlightRequest(int CorrelationId, short ApiKey, bool PreVote, long SentAt);
