namespace Kora.Storage.Producers;

/// <summary>What the producer state remembers of one appended batch, enough to recognise a retry of it.</summary>
public readonly record struct BatchMetadata(int FirstSequence, int LastSequence, long FirstOffset, long LastOffset, long Timestamp);
