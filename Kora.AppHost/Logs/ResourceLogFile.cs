using System.Globalization;

namespace Kora.AppHost.Logs;

/// <summary>
/// <c>&lt;data-dir&gt;/logs/&lt;resource&gt;.log</c>: everything the resource wrote on stdout (<c>out</c>)
/// and stderr (<c>err</c>), and what the host did to it (<c>host</c>), each line timestamped. Appended
/// across runs and flushed per line so that <c>tail -f</c> follows it.
/// </summary>
internal sealed class ResourceLogFile : IDisposable
{
    private readonly Lock _lock = new();
    private StreamWriter? _writer;

    public ResourceLogFile(string directory, string resource)
    {
        Directory.CreateDirectory(directory);
        Path = System.IO.Path.Combine(directory, resource + ".log");
        _writer = new StreamWriter(new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
    }

    public string Path { get; }

    public void Write(string stream, string line)
    {
        lock (_lock)
        {
            _writer?.WriteLine($"{DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)} {stream} {line}");
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }
}
