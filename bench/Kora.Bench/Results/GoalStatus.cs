namespace Kora.Bench.Results;

internal enum GoalStatus
{
    Pass,
    Miss,
    NotMeasured,
}
