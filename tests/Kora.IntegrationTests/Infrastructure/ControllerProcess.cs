using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Kora.IntegrationTests.Infrastructure;

/// <summary>
/// A real controller process on 127.0.0.1 with its own data folder, a Kafka port chosen up front (the
/// voters must know each other's ports before any starts) and an ephemeral HTTP port. It can be killed
/// with SIGKILL or stopped with SIGTERM and started again on the same data; disposal kills it.
/// </summary>
public sealed class ControllerProcess : IAsyncDisposable
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };
    private readonly StringBuilder _output = new();
    private readonly Dictionary<string, string> _settings;
    private Process? _process;

    public ControllerProcess(int nodeId, int port, string voters, string dataDir, IDictionary<string, string>? settings = null)
    {
        NodeId = nodeId;
        KafkaEndPoint = new IPEndPoint(IPAddress.Loopback, port);
        Voters = voters;
        DataDir = dataDir;
        _settings = new Dictionary<string, string>(settings ?? new Dictionary<string, string>());
    }

    public int NodeId { get; }
    public IPEndPoint KafkaEndPoint { get; }
    public string Voters { get; }
    public string DataDir { get; }
    public IPEndPoint HttpEndPoint { get; private set; } = new(IPAddress.Loopback, 0);
    public bool IsRunning => _process is { HasExited: false };

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Free ports for a quorum, found by binding port 0 and releasing it.</summary>
    public static int[] FreePorts(int count) => LoopbackPorts.Reserve(count);

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Repository.ControllerDll);
        info.ArgumentList.Add($"--Kora:Controller:NodeId={NodeId}");
        info.ArgumentList.Add($"--Kora:Controller:Listener=127.0.0.1:{KafkaEndPoint.Port}");
        info.ArgumentList.Add("--Kora:Controller:HttpListener=127.0.0.1:0");
        info.ArgumentList.Add($"--Kora:Controller:QuorumVoters={Voters}");
        info.ArgumentList.Add($"--Kora:Controller:DataDir={DataDir}");
        info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        info.ArgumentList.Add("--Logging:Console:TimestampFormat=HH:mm:ss.fff ");
        foreach (var (key, value) in _settings)
        {
            info.ArgumentList.Add(key.StartsWith("Logging:", StringComparison.Ordinal) ? $"--{key}={value}" : $"--Kora:Controller:{key}={value}");
        }
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException($"Controller {NodeId} exited before it was ready:\n" + Output));
                return;
            }
            Append(e.Data);
            if (e.Data.StartsWith("KORA_CONTROLLER_READY ", StringComparison.Ordinal))
            {
                ready.TrySetResult(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Append(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        var line = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60)).ConfigureAwait(false);
        var http = line.Split(' ').Single(p => p.StartsWith("http=", StringComparison.Ordinal));
        HttpEndPoint = IPEndPoint.Parse(http[5..]);
    }

    private void Append(string line)
    {
        lock (_output)
        {
            if (_output.Length < 1_000_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>The controller's committed metadata image (<c>GET /debug/metadata</c>).</summary>
    public async Task<JsonElement> MetadataAsync()
    {
        var json = await Http.GetFromJsonAsync<JsonElement>($"http://{HttpEndPoint}/debug/metadata").ConfigureAwait(false);
        return json;
    }

    public async Task<IReadOnlyList<string>> TopicNamesAsync() =>
        (await MetadataAsync().ConfigureAwait(false)).GetProperty("topics").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToList();

    /// <summary>SIGKILL: no resignation, no flush: like a power cut of the process.</summary>
    public Task KillAsync() => ServerProcessControl.KillAsync(_process);

    /// <summary>SIGTERM: a leader resigns, then the process exits.</summary>
    public Task StopAsync() => ServerProcessControl.StopAsync(_process, $"Controller {NodeId}", () => Output);

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
    }
}
