using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Threading.Channels;
using Kora.Network.Apis;
using Kora.Protocol.Primitives;
using Microsoft.Extensions.Logging;

namespace Kora.Network;

/// <summary>
/// One client connection. The reader copies each frame into a pooled buffer, parses the header and
/// starts its handler at once, so pipelined requests overlap; the writer answers strictly in arrival
/// order and flushes when no finished response is waiting, batching small responses into one send.
/// </summary>
internal sealed partial class KafkaConnection
{
    private const int MinFrameSize = 8;
    private readonly IDuplexPipe _transport;
    private readonly ApiRegistry _apis;
    private readonly IKafkaServerTelemetry _metrics;
    private readonly ILogger _logger;
    private readonly int _maxRequestBytes;
    private readonly InFlightBudget _budget;
    private readonly ClientConnection _client;
    private readonly Channel<PendingResponse> _pending = Channel.CreateUnbounded<PendingResponse>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly CancellationTokenSource _aborted = new();
    private CancellationToken _stopping;

    public KafkaConnection(IDuplexPipe transport, string connectionId, System.Net.EndPoint? remote, ApiRegistry apis, KafkaListenerSettings settings, IKafkaServerTelemetry metrics, ILogger logger)
    {
        _transport = transport;
        _apis = apis;
        _metrics = metrics;
        _logger = logger;
        _maxRequestBytes = settings.SocketRequestMaxBytes;
        _budget = new InFlightBudget(settings.MaxInFlightBytesPerConnection);
        _client = new ClientConnection(connectionId, remote);
    }

    public async Task RunAsync(CancellationToken stopping)
    {
        _stopping = stopping;
        _metrics.ConnectionOpened();
        using var stopRegistration = stopping.Register(() => _transport.Input.CancelPendingRead());
        var writer = WriteResponsesAsync();
        try
        {
            await ReadRequestsAsync(stopping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            Log.ConnectionEnded(_logger, _client.ConnectionId, e.Message);
        }
        finally
        {
            _pending.Writer.TryComplete();
            _client.MarkClosed();
        }
        await writer.ConfigureAwait(false);
        await _transport.Input.CompleteAsync().ConfigureAwait(false);
        await _transport.Output.CompleteAsync().ConfigureAwait(false);
        _metrics.ConnectionClosed();
    }

    private async Task ReadRequestsAsync(CancellationToken stopping)
    {
        var input = _transport.Input;
        byte[]? frame = null;
        var frameLength = 0;
        var filled = 0;
        try
        {
            while (!stopping.IsCancellationRequested && !_aborted.IsCancellationRequested)
            {
                var result = await input.ReadAsync(_aborted.Token).ConfigureAwait(false);
                if (result.IsCanceled)
                {
                    break;
                }
                var buffer = result.Buffer;
                while (!buffer.IsEmpty)
                {
                    if (frame is null)
                    {
                        if (buffer.Length < 4)
                        {
                            break;
                        }
                        frameLength = ReadLength(buffer);
                        if (frameLength < MinFrameSize || frameLength > _maxRequestBytes)
                        {
                            Log.BadFrameSize(_logger, _client.ConnectionId, frameLength, _maxRequestBytes);
                            input.AdvanceTo(buffer.End);
                            return;
                        }
                        await _budget.AcquireAsync(frameLength, _aborted.Token).ConfigureAwait(false);
                        frame = ArrayPool<byte>.Shared.Rent(frameLength);
                        filled = 0;
                        buffer = buffer.Slice(4);
                    }
                    var take = (int)Math.Min(buffer.Length, frameLength - filled);
                    buffer.Slice(0, take).CopyTo(frame.AsSpan(filled));
                    filled += take;
                    buffer = buffer.Slice(take);
                    if (filled == frameLength)
                    {
                        var admitted = Admit(frame, frameLength);
                        frame = null;
                        if (!admitted)
                        {
                            input.AdvanceTo(buffer.End);
                            return;
                        }
                    }
                }
                input.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        finally
        {
            if (frame is not null)
            {
                _budget.Release(frameLength);
                ArrayPool<byte>.Shared.Return(frame);
            }
        }
    }

    private static int ReadLength(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }

    /// <summary>Parses the header and starts the handler. False means the connection must close.</summary>
    private bool Admit(byte[] frame, int length)
    {
        var start = Stopwatch.GetTimestamp();
        var apiKey = BinaryPrimitives.ReadInt16BigEndian(frame);
        var apiVersion = BinaryPrimitives.ReadInt16BigEndian(frame.AsSpan(2));
        var handler = _apis.Find(apiKey);
        var supported = handler is not null && apiVersion >= handler.MinVersion && apiVersion <= handler.MaxVersion;
        RequestHeader header;
        if (!supported)
        {
            // The header's own version depends on the request version, which this server does not know:
            // only the correlation id, at a fixed place, is needed to answer.
            header = new RequestHeader(apiKey, apiVersion, BinaryPrimitives.ReadInt32BigEndian(frame.AsSpan(4)), null, length);
        }
        else
        {
            try
            {
                var reader = new KafkaReader(frame.AsMemory(0, length));
                header = RequestHeader.Read(ref reader, _apis.IsFlexible);
            }
            catch (KafkaProtocolException e)
            {
                Log.MalformedRequest(_logger, _client.ConnectionId, apiKey, e.Message);
                Discard(frame, length);
                return false;
            }
        }
        _metrics.RequestReceived(header.ApiKey, header.ApiVersion, length + 4);
        var context = new RequestContext(header, _client, _aborted.Token, _stopping);
        ValueTask<ResponseEnvelope> response;
        if (handler is null)
        {
            response = new ValueTask<ResponseEnvelope>(ResponseEnvelope.None);
        }
        else if (!supported)
        {
            response = new ValueTask<ResponseEnvelope>(handler.ErrorResponse(context, ErrorCode.UnsupportedVersion));
        }
        else
        {
            try
            {
                response = handler.HandleAsync(context, frame.AsMemory(header.Size, length - header.Size));
            }
            catch (KafkaProtocolException e)
            {
                // A body that does not parse as the message its header names: Kafka closes the connection.
                Log.MalformedRequest(_logger, _client.ConnectionId, header.ApiKey, e.Message);
                Discard(frame, length);
                return false;
            }
        }
        if (!_pending.Writer.TryWrite(new PendingResponse(context, response, frame, length, start, handler, _metrics.StartRequest(header.ApiKey, header.ApiVersion, header.ClientId))))
        {
            Discard(frame, length);
            return false;
        }
        return true;
    }

    private void Discard(byte[] frame, int length)
    {
        _budget.Release(length);
        ArrayPool<byte>.Shared.Return(frame);
    }

    private async Task WriteResponsesAsync()
    {
        var output = _transport.Output;
        var reader = _pending.Reader;
        var unflushed = 0L;
        try
        {
            while (await reader.WaitToReadAsync().ConfigureAwait(false))
            {
                while (reader.TryRead(out var pending))
                {
                    ResponseEnvelope envelope;
                    try
                    {
                        envelope = await pending.Response.ConfigureAwait(false);
                    }
                    catch (Exception e) when (pending.Handler is not null && e is not OperationCanceledException)
                    {
                        Log.HandlerFailed(_logger, e, pending.Context.Header.ApiKey);
                        envelope = pending.Handler.ErrorResponse(pending.Context, ErrorCode.UnknownServerError);
                    }
                    finally
                    {
                        Discard(pending.Frame, pending.FrameLength);
                    }
                    var written = envelope.Body is not null
                        ? Write(output, pending.Context.Header.CorrelationId, envelope)
                        : pending.Handler is null ? WriteUnknownApi(output, pending.Context.Header.CorrelationId) : 0;
                    unflushed += written;
                    _metrics.ResponseSent(pending.Context.Header.ApiKey, written, Stopwatch.GetElapsedTime(pending.StartTimestamp));
                    pending.Activity?.Dispose();
                    if (unflushed > 0 && (unflushed >= 1 << 20 || !reader.TryPeek(out _)))
                    {
                        unflushed = 0;
                        var flush = await output.FlushAsync().ConfigureAwait(false);
                        if (flush.IsCompleted || flush.IsCanceled)
                        {
                            _aborted.Cancel();
                            break;
                        }
                    }
                }
            }
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException or InvalidOperationException)
        {
            Log.ConnectionEnded(_logger, _client.ConnectionId, e.Message);
            await _aborted.CancelAsync().ConfigureAwait(false);
            _transport.Input.CancelPendingRead();
        }
        finally
        {
            while (reader.TryRead(out var rest))
            {
                rest.Activity?.Dispose();
                Discard(rest.Frame, rest.FrameLength);
            }
        }
    }

    private static long Write(PipeWriter output, int correlationId, ResponseEnvelope envelope)
    {
        var body = envelope.Body!;
        var headerSize = 4 + (envelope.FlexibleHeader ? 1 : 0);
        var size = headerSize + body.ComputeSize(envelope.Version);
        var writer = new KafkaWriter(output);
        writer.WriteInt32(size);
        writer.WriteInt32(correlationId);
        if (envelope.FlexibleHeader)
        {
            writer.WriteUnsignedVarInt(0);
        }
        body.Write(ref writer, envelope.Version);
        writer.Flush();
        return size + 4;
    }

    /// <summary>
    /// An API key Kora does not know has no response schema; answer with the error code where every
    /// response v0 starts, so the client sees UNSUPPORTED_VERSION instead of a dropped connection.
    /// </summary>
    private static long WriteUnknownApi(PipeWriter output, int correlationId)
    {
        var writer = new KafkaWriter(output);
        writer.WriteInt32(6);
        writer.WriteInt32(correlationId);
        writer.WriteInt16((short)ErrorCode.UnsupportedVersion);
        writer.Flush();
        return 10;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Connection {ConnectionId} ended: {Reason}")]
        public static partial void ConnectionEnded(ILogger logger, string connectionId, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Connection {ConnectionId} sent a frame of {Size} bytes (limit {Limit}); closing it")]
        public static partial void BadFrameSize(ILogger logger, string connectionId, int size, int limit);

        [LoggerMessage(3, LogLevel.Warning, "Connection {ConnectionId} sent a malformed request (API {ApiKey}): {Reason}; closing it")]
        public static partial void MalformedRequest(ILogger logger, string connectionId, short apiKey, string reason);

        [LoggerMessage(4, LogLevel.Error, "Handler for API {ApiKey} failed")]
        public static partial void HandlerFailed(ILogger logger, Exception exception, short apiKey);
    }
}
