using System.Runtime.InteropServices;

namespace Kora.Protocol.Compression;

/// <summary>The LZ4 frame API (lz4frame.h) of the system's liblz4 (Debian's liblz4-1).</summary>
internal static unsafe partial class Lz4Native
{
    private const string Library = "liblz4.so.1";

    /// <summary>LZ4F_VERSION: the frame API version the context is created for.</summary>
    public const uint FrameVersion = 100;

    [LibraryImport(Library, EntryPoint = "LZ4F_createDecompressionContext")]
    public static partial nuint CreateDecompressionContext(out nint context, uint version);

    [LibraryImport(Library, EntryPoint = "LZ4F_freeDecompressionContext")]
    public static partial nuint FreeDecompressionContext(nint context);

    [LibraryImport(Library, EntryPoint = "LZ4F_decompress")]
    public static partial nuint Decompress(nint context, byte* destination, ref nuint destinationSize, byte* source, ref nuint sourceSize, void* options);

    [LibraryImport(Library, EntryPoint = "LZ4F_compressFrameBound")]
    public static partial nuint CompressFrameBound(nuint sourceSize, in Preferences preferences);

    [LibraryImport(Library, EntryPoint = "LZ4F_compressFrame")]
    public static partial nuint CompressFrame(byte* destination, nuint capacity, byte* source, nuint sourceSize, in Preferences preferences);

    [LibraryImport(Library, EntryPoint = "LZ4F_isError")]
    public static partial uint IsError(nuint code);

    [LibraryImport(Library, EntryPoint = "LZ4F_getErrorName")]
    public static partial nint GetErrorName(nuint code);

    public static string ErrorName(nuint code) => Marshal.PtrToStringAnsi(GetErrorName(code)) ?? "unknown LZ4 error";

    /// <summary>LZ4F_preferences_t with its nested LZ4F_frameInfo_t, laid out as in lz4frame.h (56 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Preferences
    {
        public int BlockSizeId;
        public int BlockMode;
        public int ContentChecksumFlag;
        public int FrameType;
        public ulong ContentSize;
        public uint DictionaryId;
        public int BlockChecksumFlag;
        public int CompressionLevel;
        public uint AutoFlush;
        public uint FavorDecompressionSpeed;
        public uint Reserved0;
        public uint Reserved1;
        public uint Reserved2;
    }
}
