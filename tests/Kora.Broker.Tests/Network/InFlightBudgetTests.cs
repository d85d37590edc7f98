using Kora.Network;


namespace Kora.Broker.Tests.Network;

public class InFlightBudgetTests
{
    [Fact]
    public async Task Acquire_OverCapacity_WaitsUntilReleased()
    {
        var budget = new InFlightBudget(100);
        await budget.AcquireAsync(60, CancellationToken.None);
        var second = budget.AcquireAsync(60, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(second.IsCompleted);
        budget.Release(60);
        await second.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Acquire_LargerThanCapacity_IsAdmittedWhenNothingElseIsInFlight()
    {
        var budget = new InFlightBudget(100);
        await budget.AcquireAsync(1000, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        var next = budget.AcquireAsync(1, CancellationToken.None).AsTask();
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        budget.Release(1000);
        await next.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Acquire_Cancelled_Throws()
    {
        var budget = new InFlightBudget(10);
        await budget.AcquireAsync(10, CancellationToken.None);
        using var cancel = new CancellationTokenSource(50);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => budget.AcquireAsync(5, cancel.Token).AsTask());
    }
}
