using System.Buffers;
using Kora.Raft.Log;
using Kora.Raft.States;

namespace Kora.Raft.Core;

public sealed partial class RaftCore
{
    /// <summary>
    /// Hands the listener everything committed and not yet delivered: first the snapshot when the
    /// listener is behind the log start, then whole batches below the high watermark, in order.
    /// </summary>
    private void Deliver()
    {
        if (_log.LatestSnapshotId is { } snapshot && _nextDelivery < snapshot.Offset)
        {
            _listener.OnLoadSnapshot(snapshot, ReadWholeSnapshot(snapshot));
            _nextDelivery = snapshot.Offset;
        }
        var limit = Math.Min(_highWatermark, _log.EndOffset);
        while (_nextDelivery < limit && _nextDelivery >= _log.StartOffset)
        {
            var bytes = _log.Read(_nextDelivery, _config.FetchMaxBytes);
            if (bytes.IsEmpty)
            {
                break;
            }
            var position = 0;
            var progressed = false;
            while (position < bytes.Length
                && RaftBatches.TryReadValid(bytes.Span[position..], out var baseOffset, out var lastOffset, out var epoch, out var isControl, out var size)
                && baseOffset == _nextDelivery && lastOffset < limit)
            {
                _listener.OnCommit(new RaftBatch
                {
                    BaseOffset = baseOffset,
                    LastOffset = lastOffset,
                    Epoch = epoch,
                    IsControl = isControl,
                    Bytes = bytes.Slice(position, size),
                });
                _nextDelivery = lastOffset + 1;
                position += size;
                progressed = true;
            }
            if (!progressed)
            {
                break;
            }
        }
        MaybeNotifyLeaderChange();
    }

    private ReadOnlyMemory<byte> ReadWholeSnapshot(OffsetAndEpoch id)
    {
        var content = new ArrayBufferWriter<byte>((int)Math.Min(_log.LatestSnapshotSize, int.MaxValue));
        while (content.WrittenCount < _log.LatestSnapshotSize)
        {
            var chunk = _log.ReadSnapshot(id, content.WrittenCount, 1 << 20);
            if (chunk.IsEmpty)
            {
                break;
            }
            content.Write(chunk.Span);
        }
        return content.WrittenMemory;
    }

    /// <summary>A new leader hears of its own leadership only once it has delivered every earlier epoch's entries.</summary>
    private void MaybeNotifyLeaderChange()
    {
        if (_state is LeaderState leader && _nextDelivery < leader.EpochStartOffset)
        {
            return;
        }
        var current = (_state.LeaderId, _state.Epoch);
        if (current != _notifiedLeader)
        {
            _notifiedLeader = current;
            _listener.OnLeaderChange(current.LeaderId, current.Epoch);
        }
    }
}
