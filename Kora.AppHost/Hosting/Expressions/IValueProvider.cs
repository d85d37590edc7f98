namespace Kora.AppHost.Hosting.Expressions;

/// <summary>
/// A value that is only known once the application is built, such as an allocated port. It has two
/// forms, as in Aspire: the concrete value a local process is started with, and the placeholder a
/// deployment manifest carries instead (<c>{broker-1.bindings.kafka.port}</c>).
/// </summary>
public interface IValueProvider
{
    /// <summary>The value for a process started by this host.</summary>
    string GetValue();

    /// <summary>The manifest placeholder that a deployment tool resolves on its target.</summary>
    string ValueExpression { get; }
}
