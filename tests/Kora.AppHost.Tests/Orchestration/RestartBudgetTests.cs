using Kora.AppHost.Hosting;
using Kora.AppHost.Orchestration;

namespace Kora.AppHost.Tests.Orchestration;

public class RestartBudgetTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly RestartPolicy Policy = new(3, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2));

    [Fact]
    public void OnExit_BackoffDoublesUpToTheMaximum()
    {
        var budget = new RestartBudget(Policy with { MaxRestartsPerMinute = 10 });
        var delays = Enumerable.Range(0, 5).Select(i => budget.OnExit(T0.AddSeconds(i), TimeSpan.FromSeconds(1))).ToList();
        Assert.Equal([500, 1000, 2000, 2000, 2000], delays.Select(d => d!.Value.TotalMilliseconds));
    }

    [Fact]
    public void OnExit_MoreThanTheCapWithinAMinute_GivesUp()
    {
        var budget = new RestartBudget(Policy);
        Assert.NotNull(budget.OnExit(T0, TimeSpan.Zero));
        Assert.NotNull(budget.OnExit(T0.AddSeconds(10), TimeSpan.Zero));
        Assert.NotNull(budget.OnExit(T0.AddSeconds(20), TimeSpan.Zero));
        Assert.Null(budget.OnExit(T0.AddSeconds(30), TimeSpan.Zero));
        Assert.Equal(3, budget.RecentRestarts);
    }

    [Fact]
    public void OnExit_RestartsOlderThanAMinute_NoLongerCount()
    {
        var budget = new RestartBudget(Policy);
        budget.OnExit(T0, TimeSpan.Zero);
        budget.OnExit(T0.AddSeconds(10), TimeSpan.Zero);
        budget.OnExit(T0.AddSeconds(20), TimeSpan.Zero);
        Assert.NotNull(budget.OnExit(T0.AddSeconds(60), TimeSpan.Zero));
        Assert.Equal(3, budget.RecentRestarts);
    }

    [Fact]
    public void OnExit_AfterAStableRun_BackoffStartsOver()
    {
        var budget = new RestartBudget(Policy with { MaxRestartsPerMinute = 10 });
        budget.OnExit(T0, TimeSpan.Zero);
        budget.OnExit(T0.AddSeconds(1), TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromMilliseconds(500), budget.OnExit(T0.AddMinutes(5), TimeSpan.FromMinutes(2)));
    }

    [Fact]
    public void OnExit_NeverPolicy_NeverRestarts() => Assert.Null(new RestartBudget(RestartPolicy.Never).OnExit(T0, TimeSpan.FromHours(1)));
}
