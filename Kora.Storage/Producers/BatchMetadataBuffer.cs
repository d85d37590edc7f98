using System.Runtime.CompilerServices;

namespace Kora.Storage.Producers;

/// <summary>Inline storage for a producer's retained batches, so an entry is one flat value with no array behind it.</summary>
[InlineArray(ProducerStateEntry.RetainedBatches)]
internal struct BatchMetadataBuffer
{
    private BatchMetadata _element;
}
