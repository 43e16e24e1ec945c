using System.Net.Sockets;
using System.Runtime.InteropServices;
using LambdaIdentity.Core;
using LambdaIdentity.Core.Aws.Sources;
using Xunit;
using static LambdaIdentity.Tests.Inventory.BadInput.BadInputDir;

namespace LambdaIdentity.Tests.Inventory.BadInput;

/// <summary>Link loops, FIFOs, devices, sockets and unreadable folders under --path: an error each, every good file read once.</summary>
public sealed class PathWalkTests
{
    private const string Head = "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\nResources:\n";

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo(string path, uint mode);

    /// <summary>A folder with 5 functions in 3 templates, two of them in a subfolder.</summary>
    private static void FiveFunctions(BadInputDir dir)
    {
        dir.File("app/a.yaml", Head + SamFunction("A1") + SamFunction("A2"));
        dir.File("app/sub/b.yaml", Head + SamFunction("B1") + SamFunction("B2"));
        dir.File("app/sub/c.yaml", Head + SamFunction("C1"));
    }

    [Fact]
    public void ADirectoryLinkLoopAndASecondLinkReadEachFunctionOnce()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new BadInputDir();
        FiveFunctions(dir);
        var app = Path.Combine(dir.Path, "app");
        Directory.CreateSymbolicLink(Path.Combine(app, "sub", "loop"), app);          // sub/loop -> .. (a cycle)
        Directory.CreateSymbolicLink(Path.Combine(app, "again"), Path.Combine(app, "sub")); // a second way into sub
        File.CreateSymbolicLink(Path.Combine(app, "same.yaml"), Path.Combine(app, "a.yaml")); // a second name of a file

        var (records, errors) = Read(app);

        Assert.Empty(errors);
        Assert.Equal(new[] { "A1", "A2", "B1", "B2", "C1" }, records.Select(r => r.LogicalId));
        var (code, cliRecords, _) = RunCli(app);
        Assert.Equal(0, code);
        Assert.Equal(5, cliRecords.Count);
    }

    [Fact]
    public async Task AFifoASocketAndADeviceAreRefusedWithAnErrorAndTheWalkGoesOn()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new BadInputDir();
        FiveFunctions(dir);
        var app = Path.Combine(dir.Path, "app");
        var fifo = Path.Combine(app, "pipe.json");
        Assert.Equal(0, mkfifo(fifo, Convert.ToUInt32("600", 8)));
        var sock = Path.Combine(app, "sub", "listen.yaml");
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(sock));
        var zero = Path.Combine(app, "zero.json");
        File.CreateSymbolicLink(zero, "/dev/zero");

        var task = Task.Run(() => Read(app, "/dev/zero"));
        var (records, errors) = await task.WaitAsync(TimeSpan.FromSeconds(60)); // throws TimeoutException when the walk hangs

        Assert.Equal(5, records.Count);
        Assert.All(errors, e => Assert.Equal("InventoryPathNotRegularFile", e.ErrorId));
        Assert.Contains(errors, e => e.Target == fifo && e.Message.Contains("FIFO", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Target == sock && e.Message.Contains("socket", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Target == zero && e.Message.Contains("character device", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Target == "/dev/zero");
        Assert.Equal(4, errors.Count);

        var (code, cliRecords, err) = RunCli(app, "/dev/zero");
        Assert.NotEqual(0, code);
        Assert.Equal(5, cliRecords.Count);
        Assert.Contains("InventoryPathNotRegularFile", err, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnreadableFolderIsAnErrorAndTheOtherFoldersAreRead()
    {
        // Tests may run as root, which reads any folder: the listing of one folder is made to fail as a denied one does.
        using var dir = new BadInputDir();
        FiveFunctions(dir);
        var app = Path.Combine(dir.Path, "app");
        var sub = Path.Combine(app, "sub");
        var errors = new ErrorCollector();
        var reader = new InventoryReader
        {
            ListFolder = d => Path.GetFullPath(d) == Path.GetFullPath(sub) ? throw new UnauthorizedAccessException($"Access to the path '{d}' is denied.") : Directory.EnumerateFileSystemEntries(d),
        };

        var records = reader.Read(new[] { app }, new InventoryOptions(), new EngineContext(errors)).ToList();

        Assert.Equal(new[] { "A1", "A2" }, records.Select(r => r.LogicalId));
        var e = Assert.Single(errors.Errors);
        Assert.Equal("InventoryFolderUnreadable", e.ErrorId);
        Assert.Equal(sub, e.Target);
        Assert.Contains("denied", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ABrokenLinkIsAnErrorAndAFileOverTheSizeCapIsRefused()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new BadInputDir();
        FiveFunctions(dir);
        var app = Path.Combine(dir.Path, "app");
        var broken = Path.Combine(app, "gone.yaml");
        File.CreateSymbolicLink(broken, Path.Combine(app, "missing.yaml"));
        var big = dir.File("app/big.yaml", Head + string.Concat(Enumerable.Range(0, 50).Select(i => SamFunction("Big" + i))));

        var (records, errors) = Read(new InventoryOptions { MaxFileBytes = new FileInfo(big).Length - 1 }, app);

        Assert.Equal(5, records.Count);
        Assert.Contains(errors, e => e.ErrorId == "InventoryLinkBroken" && e.Target == broken);
        Assert.Contains(errors, e => e.ErrorId == "InventoryFileTooLarge" && e.Target == big && e.Message.Contains("limit", StringComparison.Ordinal));
        Assert.Equal(2, errors.Count);
    }
}
