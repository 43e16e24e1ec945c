using LambdaIdentity.Cli;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;
using LambdaIdentity.Core.Serialization;
using LambdaIdentity.Model;

namespace LambdaIdentity.Tests.Inventory.BadInput;

/// <summary>Temp folders of hand-built bad inputs, and the two ways to read them (engine, CLI verb).</summary>
internal sealed class BadInputDir : IDisposable
{
    public BadInputDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "li-badinput-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name, string text)
    {
        var file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        System.IO.File.WriteAllText(file, text);
        return file;
    }

    public string Bytes(string name, byte[] bytes)
    {
        var file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        System.IO.File.WriteAllBytes(file, bytes);
        return file;
    }

    /// <summary>A SAM function resource, indented under Resources.</summary>
    public static string SamFunction(string id, string? nameLine = null) =>
        $"  {id}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.handler\n      CodeUri: src/\n" +
        (nameLine is null ? "" : $"      FunctionName: {nameLine}\n");

    public static (List<LambdaFunctionIdentity> Records, List<EngineError> Errors) Read(params string[] paths) => Read(new InventoryOptions(), paths);

    public static (List<LambdaFunctionIdentity> Records, List<EngineError> Errors) Read(InventoryOptions options, params string[] paths)
    {
        var errors = new ErrorCollector();
        var records = new InventoryReader().Read(paths, options, new EngineContext(errors)).ToList();
        return (records, errors.Errors.ToList());
    }

    /// <summary>Runs `lambda-identity inventory --path ... --format json`; the records parsed from stdout.</summary>
    public static (int Code, List<LambdaFunctionIdentity> Records, string Err) RunCli(params string[] paths)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var args = new[] { "inventory", "--path" }.Concat(paths).Concat(new[] { "--format", "json" }).ToArray();
        var code = Program.Run(args, stdout, stderr, new StringReader(""));
        return (code, ModelJson.Read<LambdaFunctionIdentity>(stdout.ToString()).ToList(), stderr.ToString());
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
