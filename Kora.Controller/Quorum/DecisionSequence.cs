using Kora.Metadata;
using Kora.Protocol.Primitives;

namespace Kora.Controller.Quorum;

/// <summary>
/// Decides the items of one request in order, each on the image the earlier ones leave behind, so a
/// request's changes commit as one batch and answer together (as Kafka's controller does per request).
/// </summary>
public static class DecisionSequence
{
    public static MetadataDecision<List<TResult>> Decide<TItem, TResult>(
        MetadataImage image, IEnumerable<TItem> items, Func<MetadataImage, TItem, MetadataDecision<TResult>> decide)
    {
        var records = new List<IKafkaMessage>();
        var results = new List<TResult>();
        foreach (var item in items)
        {
            var decision = decide(image, item);
            results.Add(decision.Result);
            if (decision.Records.Count > 0)
            {
                records.AddRange(decision.Records);
                image = MetadataImageBuilder.ApplyAll(image, decision.Records);
            }
        }
        return new MetadataDecision<List<TResult>>(records, results);
    }
}
