namespace Kora.Controller.Quorum;

/// <summary>This controller is not the active one (or stopped being it before the change committed): Kafka's NOT_CONTROLLER.</summary>
public sealed class NotControllerException(string message) : Exception(message)
{
    public NotControllerException()
        : this("This is not the active controller.")
    {
    }

    public NotControllerException(string message, Exception inner)
        : this(message + " " + inner.Message)
    {
    }
}
