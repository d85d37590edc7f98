using Kora.AppHost.Hosting.Expressions;

namespace Kora.AppHost.Hosting;

/// <summary>
/// The folder a resource keeps its state in. Locally it is <c>&lt;data-dir&gt;/&lt;resource&gt;</c>;
/// published, it is a named volume mounted at <see cref="Target"/>. As a value it is the path the
/// process should use, so it can be passed in an environment variable.
/// </summary>
public sealed class DataVolumeAnnotation(string name, string hostPath, string target) : IValueProvider
{
    /// <summary>The volume's name in a deployment.</summary>
    public string Name { get; } = name;

    public string HostPath { get; } = hostPath;

    /// <summary>The mount path inside a published container.</summary>
    public string Target { get; } = target;

    public string GetValue() => HostPath;

    public string ValueExpression => Target;
}
