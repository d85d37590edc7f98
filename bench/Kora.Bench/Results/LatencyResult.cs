namespace Kora.Bench.Results;

/// <summary>Paced produce (acks=-1) with a consumer in the same process.</summary>
/// <param name="Sent">Messages sent during the measured interval.</param>
/// <param name="Acked">Of those, successfully acknowledged.</param>
/// <param name="Failed">Of those, delivery reports with an error.</param>
/// <param name="Received">Of those, seen by the consumer.</param>
/// <param name="ProduceAck">Delivery report time minus send time.</param>
/// <param name="EndToEnd">Consumer receive time minus send time.</param>
/// <param name="AckWorstPerSecond">Highest ack latency (ms) of the messages sent in each measured second.</param>
/// <param name="EndToEndWorstPerSecond">Highest end-to-end latency (ms) of the messages sent in each measured second.</param>
internal sealed record LatencyResult(
    int Partitions,
    int MessageSize,
    double TargetMessagesPerSecond,
    double AchievedMessagesPerSecond,
    double Seconds,
    long Sent,
    long Acked,
    long Failed,
    long Received,
    Percentiles? ProduceAck,
    Percentiles? EndToEnd,
    IReadOnlyList<double> AckWorstPerSecond,
    IReadOnlyList<double> EndToEndWorstPerSecond,
    double TargetCpuSeconds,
    string? FirstDeliveryError,
    string? Error);
