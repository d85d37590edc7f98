namespace Kora.Broker.Transactions;

/// <summary>The state names DescribeTransactions and ListTransactions use, as Kafka spells them.</summary>
public static class TransactionStates
{
    public static string Name(TransactionState state) => state switch
    {
        TransactionState.Empty => "Empty",
        TransactionState.Ongoing => "Ongoing",
        TransactionState.PrepareCommit => "PrepareCommit",
        TransactionState.PrepareAbort => "PrepareAbort",
        TransactionState.CompleteCommit => "CompleteCommit",
        TransactionState.CompleteAbort => "CompleteAbort",
        TransactionState.Dead => "Dead",
        TransactionState.PrepareEpochFence => "PrepareEpochFence",
        _ => state.ToString(),
    };

    public static bool TryParse(string name, out TransactionState state)
    {
        foreach (var candidate in Enum.GetValues<TransactionState>())
        {
            if (Name(candidate) == name)
            {
                state = candidate;
                return true;
            }
        }
        state = default;
        return false;
    }

    /// <summary>States a stored record may carry; anything else in the log is corrupt.</summary>
    public static bool IsDefined(byte status) => status <= (byte)TransactionState.PrepareEpochFence;
}
