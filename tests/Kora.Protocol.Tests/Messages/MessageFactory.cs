using System.Collections;
using System.Reflection;
using Kora.Protocol.Primitives;

namespace Kora.Protocol.Tests.Messages;

/// <summary>Fills generated messages with seeded random values, recursing into structs and lists.</summary>
internal static class MessageFactory
{
    public static IEnumerable<Type> AllMessageTypes() => typeof(IKafkaMessage).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false, IsNested: false } && typeof(IKafkaMessage).IsAssignableFrom(t))
        .OrderBy(t => t.Name);

    public static (short Low, short High) Versions(Type type) =>
        ((short)type.GetField("LowestSupportedVersion")!.GetValue(null)!, (short)type.GetField("HighestSupportedVersion")!.GetValue(null)!);

    public static object Fill(Type type, Random random, int depth)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            property.SetValue(instance, Value(property.PropertyType, random, depth));
        }
        return instance;
    }

    private static object? Value(Type type, Random random, int depth)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(bool)) return random.Next(2) == 1;
        if (underlying == typeof(sbyte)) return (sbyte)random.Next(sbyte.MinValue, sbyte.MaxValue);
        if (underlying == typeof(short)) return (short)random.Next(short.MinValue, short.MaxValue);
        if (underlying == typeof(ushort)) return (ushort)random.Next(ushort.MaxValue);
        if (underlying == typeof(int)) return random.Next(int.MinValue, int.MaxValue);
        if (underlying == typeof(uint)) return (uint)random.NextInt64(uint.MaxValue);
        if (underlying == typeof(long)) return random.NextInt64(long.MinValue, long.MaxValue);
        if (underlying == typeof(double)) return random.NextDouble();
        if (underlying == typeof(Guid))
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        }
        if (underlying == typeof(string)) return RandomString(random);
        if (underlying == typeof(ReadOnlyMemory<byte>))
        {
            var bytes = new byte[random.Next(0, 8)];
            random.NextBytes(bytes);
            return new ReadOnlyMemory<byte>(bytes);
        }
        if (underlying == typeof(RecordsData))
        {
            var bytes = new byte[random.Next(0, 16)];
            random.NextBytes(bytes);
            return new RecordsData(bytes);
        }
        if (underlying.IsGenericType && underlying.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (IList)Activator.CreateInstance(underlying)!;
            var count = depth > 3 ? 0 : random.Next(0, 3);
            for (var i = 0; i < count; i++)
            {
                list.Add(Value(underlying.GetGenericArguments()[0], random, depth + 1));
            }
            return list;
        }
        if (underlying.IsClass)
        {
            return Fill(underlying, random, depth + 1);
        }
        throw new NotSupportedException(underlying.FullName);
    }

    private static string RandomString(Random random)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz-._0123456789é€";
        var chars = new char[random.Next(0, 12)];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }
        return new string(chars);
    }
}
