using Kora.Broker.Fetching;

namespace Kora.Broker.Tests.Fetching;

/// <summary>The leader's side of a fetch session: how partitions are keyed, and a topic id that was unknown when it joined.</summary>
public sealed class FetchSessionTests
{
    private static readonly Guid TopicId = Guid.NewGuid();

    [Fact]
    public void A_topic_id_unknown_when_it_joined_is_named_once_the_metadata_knows_it()
    {
        var session = new FetchSession(7);
        // A follower learned of the topic before this leader did: the fetch names an id this broker cannot resolve yet.
        var entry = session.Upsert("", TopicId, 1, byTopicId: true);
        session.ResolveUnknownNames(_ => null);
        Assert.Equal("", entry.Topic);

        session.ResolveUnknownNames(id => id == TopicId ? "orders" : null);
        Assert.Equal("orders", Assert.Single(session.Partitions).Topic);

        // The same partition named again, now resolvable, is the same entry; forgetting it by id removes it.
        Assert.Same(entry, session.Upsert("orders", TopicId, 1, byTopicId: true));
        session.Remove("orders", TopicId, 1, byTopicId: true);
        Assert.Empty(session.Partitions);
    }

    [Fact]
    public void A_session_entry_unknown_by_name_is_named_when_sent_again()
    {
        var session = new FetchSession(7);
        var entry = session.Upsert("", TopicId, 0, byTopicId: true);
        Assert.Same(entry, session.Upsert("orders", TopicId, 0, byTopicId: true));
        Assert.Equal("orders", entry.Topic);
    }

    [Fact]
    public void Before_topic_ids_partitions_are_keyed_by_name_so_a_topic_learned_later_is_still_forgotten()
    {
        var session = new FetchSession(7);
        // Upserted while the name had no id here; forgotten once it has one.
        session.Upsert("orders", Guid.Empty, 0, byTopicId: false);
        session.Remove("orders", TopicId, 0, byTopicId: false);
        Assert.Empty(session.Partitions);
    }
}
