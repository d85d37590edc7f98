namespace Kora.Raft.Tests.Simulation;

/// <summary>The shape of one simulated schedule, all derived from its seed.</summary>
public sealed record SimulationOptions(int Seed, int Voters, int Observers, int ChaosMs, int LivenessBoundMs)
{
    /// <summary>Seeds mix 1, 3 and 5 voters, with up to two observers.</summary>
    public static SimulationOptions ForSeed(int seed, int chaosMs = 1200, int livenessBoundMs = 6000)
    {
        var random = new Random(seed ^ 0x5EED);
        var voters = (seed % 10) switch
        {
            0 or 1 => 1,
            >= 2 and <= 6 => 3,
            _ => 5,
        };
        return new SimulationOptions(seed, voters, random.Next(3), chaosMs, livenessBoundMs);
    }
}
