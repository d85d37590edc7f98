namespace Kora.AppHost.Hosting;

/// <summary>A .NET project of this repository, run from its build output with <c>dotnet</c>; published as a container image.</summary>
public sealed class ProjectResource(string name, string projectName) : Resource(name)
{
    /// <summary>The project's folder and assembly name, for example <c>Kora.Broker</c>.</summary>
    public string ProjectName { get; } = projectName;

    /// <summary>The project file, relative to the repository root.</summary>
    public string ProjectPath => Path.Combine(ProjectName, ProjectName + ".csproj");

    /// <summary>The image name the .NET SDK gives the project's container (<c>dotnet publish -t:PublishContainer</c>).</summary>
    public string ContainerImage => ProjectName.ToLowerInvariant();

    internal override LaunchCommand GetLaunchCommand() => new("dotnet", [RepositoryLayout.ProjectOutput(ProjectName)], null);
}
