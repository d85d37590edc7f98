using System.Runtime.CompilerServices;
using Kora.Storage.Log;

namespace Kora.Broker.Tests.Replication.Simulation;

/// <summary>A process kill for a log: its files are closed without flush or clean-shutdown marker, so the next open recovers.</summary>
internal static class LogCrash
{
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "Abandon")]
    public static extern void Abandon(PartitionLog log);
}
