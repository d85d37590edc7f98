using System.IO.Pipelines;
using System.Net.Sockets;

namespace Kora.Network;

/// <summary>
/// One accepted socket as a duplex pipe. Receives go straight into 64 KiB pipe segments (Kestrel's
/// transport receives at most 4 KiB per call, which made large produce requests cost a syscall per
/// 4 KiB); sends drain the output pipe segment by segment. Either side ending completes both.
/// </summary>
public sealed class SocketTransport : IDuplexPipe, IAsyncDisposable
{
    private const int SegmentSize = 64 * 1024;
    private static readonly PipeOptions InputOptions = new(
        minimumSegmentSize: SegmentSize, pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, useSynchronizationContext: false);
    private static readonly PipeOptions OutputOptions = new(
        minimumSegmentSize: SegmentSize, pauseWriterThreshold: 4 << 20, resumeWriterThreshold: 2 << 20, useSynchronizationContext: false);

    private readonly Socket _socket;
    private readonly Pipe _input = new(InputOptions);
    private readonly Pipe _output = new(OutputOptions);
    private readonly Task _receiving;
    private readonly Task _sending;

    public SocketTransport(Socket socket)
    {
        _socket = socket;
        _socket.NoDelay = true;
        _receiving = ReceiveAsync();
        _sending = SendAsync();
    }

    public PipeReader Input => _input.Reader;
    public PipeWriter Output => _output.Writer;

    private async Task ReceiveAsync()
    {
        var writer = _input.Writer;
        try
        {
            while (true)
            {
                var memory = writer.GetMemory(SegmentSize);
                var received = await _socket.ReceiveAsync(memory, SocketFlags.None).ConfigureAwait(false);
                if (received == 0)
                {
                    break;
                }
                writer.Advance(received);
                var flush = await writer.FlushAsync().ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The peer reset or the connection is being torn down: the reader sees the end of the stream.
        }
        await writer.CompleteAsync().ConfigureAwait(false);
    }

    private async Task SendAsync()
    {
        var reader = _output.Reader;
        try
        {
            while (true)
            {
                var result = await reader.ReadAsync().ConfigureAwait(false);
                foreach (var segment in result.Buffer)
                {
                    var remaining = segment;
                    while (!remaining.IsEmpty)
                    {
                        var sent = await _socket.SendAsync(remaining, SocketFlags.None).ConfigureAwait(false);
                        remaining = remaining[sent..];
                    }
                }
                reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Nothing more can be sent; stop the reader too so the connection winds down.
            _input.Writer.CancelPendingFlush();
            await reader.CompleteAsync(e).ConfigureAwait(false);
            return;
        }
        await reader.CompleteAsync().ConfigureAwait(false);
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sending.ConfigureAwait(false);
        _socket.Dispose();
        await _receiving.ConfigureAwait(false);
    }
}
