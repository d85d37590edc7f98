using System.Diagnostics;
using System.Net;
using System.Text;

namespace Kora.IntegrationTests.Infrastructure;

/// <summary>
/// A real broker process on 127.0.0.1 with ephemeral ports and its own data folder. It can be killed
/// with SIGKILL or stopped with SIGTERM and started again on the same data; disposal always kills it.
/// </summary>
public sealed class BrokerProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private readonly Dictionary<string, string> _settings;
    private readonly bool _ownsDataDir;
    private Process? _process;

    private BrokerProcess(string dataDir, bool ownsDataDir, Dictionary<string, string> settings)
    {
        DataDir = dataDir;
        _ownsDataDir = ownsDataDir;
        _settings = settings;
    }

    public string DataDir { get; }
    public IPEndPoint KafkaEndPoint { get; private set; } = new(IPAddress.Loopback, 0);
    public IPEndPoint HttpEndPoint { get; private set; } = new(IPAddress.Loopback, 0);
    public string BootstrapServers => $"127.0.0.1:{KafkaEndPoint.Port}";
    public int ProcessId => _process?.Id ?? -1;

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

    public static async Task<BrokerProcess> StartAsync(IDictionary<string, string>? settings = null, string? dataDir = null)
    {
        var broker = Create(settings, dataDir);
        await broker.StartAsync().ConfigureAwait(false);
        return broker;
    }

    /// <summary>A broker not started yet; <paramref name="kafkaPort"/> fixes its Kafka port up front (0 picks one at start).</summary>
    public static BrokerProcess Create(IDictionary<string, string>? settings = null, string? dataDir = null, int kafkaPort = 0)
    {
        var owns = dataDir is null;
        dataDir ??= Path.Combine(Path.GetTempPath(), "kora-it-" + Guid.NewGuid().ToString("N")[..12]);
        return new BrokerProcess(dataDir, owns, new Dictionary<string, string>(settings ?? new Dictionary<string, string>()))
        {
            KafkaEndPoint = new IPEndPoint(IPAddress.Loopback, kafkaPort),
        };
    }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts (or restarts) the process; the Kafka port is kept across restarts once known.</summary>
    public async Task StartAsync()
    {
        var port = KafkaEndPoint.Port;
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Repository.BrokerDll);
        info.ArgumentList.Add($"--Kora:Broker:Listener=127.0.0.1:{port}");
        info.ArgumentList.Add("--Kora:Broker:HttpListener=127.0.0.1:0");
        info.ArgumentList.Add($"--Kora:Broker:DataDir={DataDir}");
        info.ArgumentList.Add("--Logging:LogLevel:Default=Warning");
        info.ArgumentList.Add("--Logging:Console:TimestampFormat=HH:mm:ss.fff ");
        foreach (var (key, value) in _settings)
        {
            // Logging levels are host settings; everything else is a broker option.
            info.ArgumentList.Add(key.StartsWith("Logging:", StringComparison.Ordinal) ? $"--{key}={value}" : $"--Kora:Broker:{key}={value}");
        }
        var ready = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                ready.TrySetException(new InvalidOperationException("Broker exited before it was ready:\n" + Output));
                return;
            }
            Append(e.Data);
            if (e.Data.StartsWith("KORA_BROKER_READY ", StringComparison.Ordinal))
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
        foreach (var part in line.Split(' '))
        {
            if (part.StartsWith("kafka=", StringComparison.Ordinal))
            {
                KafkaEndPoint = IPEndPoint.Parse(part[6..]);
            }
            else if (part.StartsWith("http=", StringComparison.Ordinal))
            {
                HttpEndPoint = IPEndPoint.Parse(part[5..]);
            }
        }
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

    /// <summary>SIGKILL: no flush, no clean shutdown marker, like a power cut of the process.</summary>
    public Task KillAsync() => ServerProcessControl.KillAsync(_process);

    /// <summary>SIGTERM: the broker finishes in-flight requests, flushes and exits.</summary>
    public Task StopAsync() => ServerProcessControl.StopAsync(_process, "Broker", () => Output);

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    public async ValueTask DisposeAsync()
    {
        await KillAsync().ConfigureAwait(false);
        _process?.Dispose();
        if (_ownsDataDir && Directory.Exists(DataDir))
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }
}
