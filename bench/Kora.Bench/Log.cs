namespace Kora.Bench;

/// <summary>Progress lines on stderr (stdout carries only the final table).</summary>
internal static class Log
{
    public static void Info(string message) => Write(message);

    public static void Warn(string message) => Write("WARNING: " + message);

    private static void Write(string message) =>
        Console.Error.WriteLine($"[bench {DateTime.Now:HH:mm:ss}] {message}");
}
