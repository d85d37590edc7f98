namespace Kora.AppHost.Publishing;

/// <summary>The cloud a published deployment description is written for.</summary>
public enum PublishTarget
{
    Aws,
    Azure,
    Gcp,
}
