using Microsoft.Win32.SafeHandles;

namespace Kora.Storage.Log;

/// <summary>A run of whole batches in one segment file.</summary>
internal readonly record struct FileRegion(SafeFileHandle Handle, long Position, int Length);
