using System.Diagnostics;
using Kora.IntegrationTests.Infrastructure;
using Kora.Protocol.Primitives;
using Xunit.Abstractions;

namespace Kora.IntegrationTests.Controller;

/// <summary>Three real controller processes: election, NOT_CONTROLLER from followers, replication of the image, failover under kill -9, full restart.</summary>
public class ControllerQuorumTests(ITestOutputHelper output)
{
    // Leases long enough that the registered test broker (which does not heartbeat) stays unfenced throughout.
    private static readonly Dictionary<string, string> Settings = new() { ["BrokerSessionTimeoutMs"] = "600000" };

    [Fact(Timeout = 120_000)]
    public async Task A_leader_is_elected_followers_refuse_admin_requests_and_every_controller_applies_the_change()
    {
        await using var quorum = await ControllerQuorum.StartAsync(Settings);
        await quorum.LeaderAsync(TimeSpan.FromSeconds(30));
        await quorum.RegisterBrokerAsync(1);

        // A follower refuses; on this loaded machine leadership may move between asking who leads and asking the
        // follower, so the probe is repeated (with a topic of its own) until a follower has answered as one.
        await AtLeaderAsync(quorum, async leader =>
        {
            var follower = quorum.Controllers.First(c => c != leader);
            var refused = await ControllerQuorum.CreateTopicAsync(follower, "probe", 3);
            return refused.ErrorCode == (short)ErrorCode.NotController ? follower : null;
        });

        var created = await AtLeaderAsync(quorum, async leader =>
        {
            var result = await ControllerQuorum.CreateTopicAsync(leader, "orders", 3);
            return result.ErrorCode == (short)ErrorCode.NotController ? null : result;
        });
        Assert.Equal((short)ErrorCode.None, created.ErrorCode);
        Assert.Equal(3, created.NumPartitions);
        Assert.NotEqual(Guid.Empty, created.TopicId);

        await quorum.WaitForTopicsEverywhereAsync(["orders"], TimeSpan.FromSeconds(15));
        foreach (var controller in quorum.Controllers)
        {
            var topic = (await controller.MetadataAsync()).GetProperty("topics").EnumerateArray().Single(t => t.GetProperty("name").GetString() == "orders");
            Assert.Equal(created.TopicId, topic.GetProperty("id").GetGuid());
            Assert.Equal(3, topic.GetProperty("partitions").GetArrayLength());
            Assert.All(topic.GetProperty("partitions").EnumerateArray(), p => Assert.Equal(1, p.GetProperty("leader").GetInt32()));
        }
        var again = await AtLeaderAsync(quorum, async leader =>
        {
            var result = await ControllerQuorum.CreateTopicAsync(leader, "orders");
            return result.ErrorCode == (short)ErrorCode.NotController ? null : result;
        });
        Assert.Equal((short)ErrorCode.TopicAlreadyExists, again.ErrorCode);
    }

    /// <summary>Runs <paramref name="attempt"/> against the current leader until it gives an answer (null: leadership moved, ask again).</summary>
    private static async Task<T> AtLeaderAsync<T>(ControllerQuorum quorum, Func<ControllerProcess, Task<T?>> attempt) where T : class
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var leader = await quorum.LeaderAsync(TimeSpan.FromSeconds(30));
            if (await attempt(leader) is { } answer)
            {
                return answer;
            }
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "leadership kept moving for a minute");
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Kafka's default timeouts (fetch 2000 ms, election 1000 ms). In Kafka a follower notices a dead leader only
    /// when its fetch timeout runs out, so failover takes just over 2 s; Kora's voters see the dead leader's
    /// refused connections and stand for election after 250-500 ms (UnreachableLeaderTimeoutMs).
    /// </summary>
    [Fact(Timeout = 300_000)]
    public async Task Killing_the_leader_ten_times_a_new_leader_answers_admin_requests_quickly()
    {
        await using var quorum = await ControllerQuorum.StartAsync(Settings);
        await quorum.RegisterBrokerAsync(1);
        var failovers = new List<TimeSpan>();
        var created = new List<string>();
        for (var round = 0; round < 10; round++)
        {
            var leader = await quorum.LeaderAsync(TimeSpan.FromSeconds(30));
            var before = $"before-{round}";
            Assert.Equal((short)ErrorCode.None, (await ControllerQuorum.CreateTopicAsync(leader, before)).ErrorCode);
            created.Add(before);

            await leader.KillAsync();
            var clock = Stopwatch.StartNew();
            var after = $"after-{round}";
            await CreateAtAnyControllerAsync(quorum, after, TimeSpan.FromSeconds(30));
            failovers.Add(clock.Elapsed);
            created.Add(after);
            output.WriteLine($"kill {round + 1}: controller {leader.NodeId} killed, a new leader created a topic after {ControllerQuorum.Ms(clock.Elapsed)}");

            await leader.StartAsync();
        }
        await quorum.WaitForTopicsEverywhereAsync(created, TimeSpan.FromSeconds(30));

        var sorted = failovers.OrderBy(t => t).ToList();
        var median = (sorted[4] + sorted[5]) / 2;
        output.WriteLine($"failover over 10 kills: median {ControllerQuorum.Ms(median)}, min {ControllerQuorum.Ms(sorted[0])}, max {ControllerQuorum.Ms(sorted[^1])}");
        Assert.True(median < TimeSpan.FromSeconds(2), $"median failover {ControllerQuorum.Ms(median)}");
    }

    [Fact(Timeout = 180_000)]
    public async Task Stopping_and_restarting_the_whole_quorum_keeps_the_metadata()
    {
        // A small snapshot threshold, so the restart also loads snapshots and replays the log after them.
        var settings = new Dictionary<string, string>(Settings) { ["MetadataLogMaxRecordBytesBetweenSnapshots"] = "2048" };
        await using var quorum = await ControllerQuorum.StartAsync(settings);
        await quorum.RegisterBrokerAsync(1);
        var leader = await quorum.LeaderAsync(TimeSpan.FromSeconds(30));
        var topics = Enumerable.Range(0, 40).Select(i => $"durable-{i}").ToList();
        foreach (var topic in topics)
        {
            var created = await ControllerQuorum.CreateTopicAsync(leader, topic, 2);
            if (created.ErrorCode == (short)ErrorCode.NotController)
            {
                // Leadership moved on this loaded machine; a client asks the new leader, as Kafka's do.
                leader = await quorum.LeaderAsync(TimeSpan.FromSeconds(30));
                created = await ControllerQuorum.CreateTopicAsync(leader, topic, 2);
            }
            Assert.Equal((short)ErrorCode.None, created.ErrorCode);
        }
        await quorum.WaitForTopicsEverywhereAsync(topics, TimeSpan.FromSeconds(15));
        var ids = (await leader.MetadataAsync()).GetProperty("topics").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("id").GetGuid());

        foreach (var controller in quorum.Controllers)
        {
            await controller.StopAsync();
        }
        await Task.WhenAll(quorum.Controllers.Select(c => c.StartAsync()));

        await quorum.LeaderAsync(TimeSpan.FromSeconds(30));
        await quorum.WaitForTopicsEverywhereAsync(topics, TimeSpan.FromSeconds(30));
        foreach (var controller in quorum.Controllers)
        {
            var image = await controller.MetadataAsync();
            var restored = image.GetProperty("topics").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("id").GetGuid());
            Assert.Equal(ids.OrderBy(kv => kv.Key), restored.OrderBy(kv => kv.Key));
            Assert.Equal(System.Text.Json.JsonValueKind.Number, image.GetProperty("snapshot").ValueKind);
            Assert.False(image.GetProperty("brokers").EnumerateArray().Single().GetProperty("fenced").GetBoolean());
        }
        // Leadership may still move once while the restarted quorum settles: ask whoever leads now.
        short again;
        do
        {
            again = (await ControllerQuorum.CreateTopicAsync(await quorum.LeaderAsync(TimeSpan.FromSeconds(30)), "durable-0")).ErrorCode;
        }
        while (again == (short)ErrorCode.NotController);
        Assert.Equal((short)ErrorCode.TopicAlreadyExists, again);
        await CreateAtAnyControllerAsync(quorum, "after-restart", TimeSpan.FromSeconds(30));
    }

    /// <summary>Sends CreateTopics to every running controller in turn until one accepts it; NOT_CONTROLLER and refused connections mean "ask the next".</summary>
    private static async Task CreateAtAnyControllerAsync(ControllerQuorum quorum, string topic, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            foreach (var controller in quorum.Controllers.Where(c => c.IsRunning))
            {
                try
                {
                    var result = await ControllerQuorum.CreateTopicAsync(controller, topic);
                    if (result.ErrorCode is (short)ErrorCode.None or (short)ErrorCode.TopicAlreadyExists)
                    {
                        return;
                    }
                }
                catch (Exception e) when (e is System.Net.Sockets.SocketException or IOException or TimeoutException)
                {
                }
            }
            await Task.Delay(10);
        }
        throw new TimeoutException($"No controller created {topic} within {timeout}.");
    }
}
