using Confluent.Kafka;

namespace Kora.Bench.Kafka;

/// <summary>
/// Collects the first warnings and errors of the benchmark's own Confluent.Kafka clients (instead of
/// librdkafka's default of printing them on stderr), verbatim, for the report's problem list.
/// </summary>
internal sealed class ClientMessages(int limit = 10)
{
    private readonly List<string> _messages = [];
    private int _dropped;

    public void OnLog(string client, LogMessage message)
    {
        if (message.Level <= SyslogLevel.Warning)
        {
            Add($"{client} {message.Level} {message.Facility}: {message.Message}");
        }
    }

    public void OnError(string client, Error error) => Add($"{client} error {error.Code}: {error.Reason}");

    public void Add(string message)
    {
        lock (_messages)
        {
            if (_messages.Count < limit)
            {
                _messages.Add(message);
            }
            else
            {
                _dropped++;
            }
        }
    }

    public IReadOnlyList<string> Snapshot()
    {
        lock (_messages)
        {
            return _dropped == 0 ? [.. _messages] : [.. _messages, $"... and {_dropped} more client warnings/errors"];
        }
    }
}
