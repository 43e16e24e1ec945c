using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using LambdaIdentity.Model;

namespace LambdaIdentity.Core.Aws.Sources;

/// <summary>
/// Expands the paths given to the inventory into the files to read. Links are followed once: a folder is walked
/// only the first time its canonical path (every link resolved) is met, so link loops and two links to one folder
/// read each file once. Only regular files are read: a FIFO, a device (/dev/zero) or a socket is refused with an
/// error (opening a FIFO would wait for a writer for ever). A folder that cannot be listed is an error and the walk goes on.
/// </summary>
internal static class InputFiles
{
    private static readonly HashSet<string> Extensions = new(StringComparer.OrdinalIgnoreCase) { ".json", ".yaml", ".yml", ".template", ".tfstate", ".tfplan.json" };

    /// <summary>What a path is, links followed.</summary>
    internal enum Kind { Missing, Regular, Directory, Fifo, CharacterDevice, BlockDevice, Socket, Other }

    /// <summary>The files to read, in order (each root sorted ordinally); <paramref name="list"/> replaces the folder listing (tests).</summary>
    public static List<string> Expand(IEnumerable<string> paths, EngineContext context, Func<string, IEnumerable<string>>? list = null)
    {
        list ??= Directory.EnumerateFileSystemEntries;
        var files = new List<string>();
        var seenFiles = new HashSet<string>(StringComparer.Ordinal);
        var seenDirs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in paths)
        {
            if (string.IsNullOrWhiteSpace(p)) continue;
            var kind = KindOf(p);
            if (kind == Kind.Regular) { if (seenFiles.Add(Canonical(p))) files.Add(p); }
            else if (kind == Kind.Directory)
            {
                var found = new List<string>();
                Walk(p, context, list, seenDirs, seenFiles, found);
                found.Sort(StringComparer.Ordinal);
                context.Verbose($"{p}: {found.Count} files to read.");
                files.AddRange(found);
            }
            else if (kind == Kind.Missing) context.Error("InventoryPathNotFound", EngineErrorCategory.ObjectNotFound, p, $"'{p}' is neither a file nor a folder.", new SourceLocation { File = p });
            else NotRegular(p, kind, context);
        }
        return files;
    }

    private static void Walk(string root, EngineContext context, Func<string, IEnumerable<string>> list, HashSet<string> seenDirs, HashSet<string> seenFiles, List<string> found)
    {
        var pending = new Stack<string>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            var dir = pending.Pop();
            var canonical = Canonical(dir);
            if (!seenDirs.Add(canonical))
            {
                context.Verbose($"{dir}: already read as {canonical} (a link back into the walk); not read again.");
                continue;
            }
            List<string> entries;
            try { entries = list(dir).ToList(); }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException || ex is System.Security.SecurityException)
            {
                context.Error("InventoryFolderUnreadable", ex is IOException ? EngineErrorCategory.ConnectionError : EngineErrorCategory.PermissionDenied, dir,
                    $"The folder '{dir}' could not be listed: {ex.Message}; the files in it are not read.", new SourceLocation { File = dir }, ex);
                continue;
            }
            entries.Sort(StringComparer.Ordinal);
            for (int i = entries.Count - 1; i >= 0; i--)
            {
                var entry = entries[i];
                var name = Path.GetFileName(entry);
                if (name.StartsWith(".", StringComparison.Ordinal) || name == "node_modules") continue;
                var kind = KindOf(entry);
                if (kind == Kind.Directory) { pending.Push(entry); continue; }
                if (!Extensions.Contains(Path.GetExtension(entry))) continue;
                if (kind == Kind.Regular) { if (seenFiles.Add(Canonical(entry))) found.Add(entry); }
                else if (kind == Kind.Missing)
                    context.Error("InventoryLinkBroken", EngineErrorCategory.ObjectNotFound, entry, $"'{entry}' is a link to nothing; it is not read.", new SourceLocation { File = entry });
                else NotRegular(entry, kind, context);
            }
        }
    }

    private static void NotRegular(string path, Kind kind, EngineContext context)
    {
        var what = kind switch
        {
            Kind.Fifo => "a FIFO (named pipe)",
            Kind.CharacterDevice => "a character device",
            Kind.BlockDevice => "a block device",
            Kind.Socket => "a socket",
            _ => "not a regular file",
        };
        context.Error("InventoryPathNotRegularFile", EngineErrorCategory.InvalidArgument, path,
            $"'{path}' is {what}, not a regular file: it is not read (give exported files or folders of them).", new SourceLocation { File = path });
    }

    /// <summary>The kind of the path with links followed; <see cref="Kind.Missing"/> when it (or a link's target) does not exist.</summary>
    internal static Kind KindOf(string path)
    {
        if (!IsUnix)
        {
            if (Directory.Exists(path)) return Kind.Directory;
            return File.Exists(path) ? Kind.Regular : Kind.Missing;
        }
        var buffer = new byte[512];
        if (Native.Stat(Utf8z(path), buffer) != 0) return Kind.Missing;
        // The runtime's FileStatus starts with Flags (int) then Mode (int), with the portable S_IF* values.
        var mode = BitConverter.ToInt32(buffer, 4) & 0xF000;
        return mode switch
        {
            0x8000 => Kind.Regular,
            0x4000 => Kind.Directory,
            0x1000 => Kind.Fifo,
            0x2000 => Kind.CharacterDevice,
            0x6000 => Kind.BlockDevice,
            0xC000 => Kind.Socket,
            _ => Kind.Other,
        };
    }

    /// <summary>The path with every link resolved (realpath); the full path when that fails or off Unix.</summary>
    internal static string Canonical(string path)
    {
        var full = Path.GetFullPath(path);
        if (!IsUnix) return full;
        var p = Native.RealPath(Utf8z(full), IntPtr.Zero);
        if (p == IntPtr.Zero) return full;
        try
        {
            int n = 0;
            while (Marshal.ReadByte(p, n) != 0) n++;
            var bytes = new byte[n];
            Marshal.Copy(p, bytes, 0, n);
            return System.Text.Encoding.UTF8.GetString(bytes);
        }
        finally { Native.Free(p); }
    }

    /// <summary>The path as the NUL-terminated UTF-8 the C functions take.</summary>
    private static byte[] Utf8z(string path)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, 0, path.Length, bytes, 0);
        return bytes;
    }

    private static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    private static class Native
    {
        [DllImport("libSystem.Native", EntryPoint = "SystemNative_Stat", SetLastError = true)]
        public static extern int Stat(byte[] utf8Path, [Out] byte[] status);

        [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
        public static extern IntPtr RealPath(byte[] utf8Path, IntPtr resolved);

        [DllImport("libc", EntryPoint = "free")]
        public static extern void Free(IntPtr p);
    }
}
