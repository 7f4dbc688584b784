"""The manual page and the shell completions agree with --help; make install installs them;
--version names meson.build's version (issue 16, part 3)."""
import pathlib
import re
import shutil
import subprocess

from conftest import BIN, ROOT

BUILD = pathlib.Path(BIN).resolve().parent
MAN = BUILD / "flickr-archive.1"


def help_text():
    return subprocess.run([BIN, "--help"], capture_output=True, text=True, check=True).stdout


def help_section(title):
    """The lines of one section of --help ("Commands:", "Options:", ...)."""
    lines = help_text().splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines))
                if lines[i] and not lines[i].startswith(" ")), len(lines))
    return lines[start:end]


def help_options():
    names = set()
    for line in help_section("Options:"):
        indent = len(line) - len(line.lstrip())
        if line.lstrip().startswith("-") and indent <= 7:
            for token in line.split():
                if not token.startswith("-"):
                    break
                names.add(token.rstrip(","))
    return names


def help_commands():
    return {line.split()[0] for line in help_section("Commands:")
            if line.startswith("  ") and line[2].isalpha()}


def help_environment():
    return set(re.findall(r"\b(?:FLICKR|XDG)_[A-Z_]+\b", "\n".join(help_section("Environment:"))))


def man_sections():
    """The generated page's sections: title -> roff lines, with \\- read as -."""
    sections, current = {}, None
    for line in MAN.read_text().splitlines():
        line = line.replace("\\-", "-")
        if line.startswith(".SH "):
            current = line[4:].strip('"')
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


def man_tags(section):
    """The words of each .TP entry's tag line in a section."""
    lines, tags = man_sections()[section], []
    for i, line in enumerate(lines[:-1]):
        if line == ".TP":
            tags.append(re.sub(r"\\f[BIRP]|\"", " ", lines[i + 1]).split()[1:])
    return tags


def test_the_manual_names_every_option_of_help():
    man = {w.rstrip(",") for tag in man_tags("OPTIONS") for w in tag if w.startswith("-")}
    assert man == help_options()


def test_the_manual_names_every_command_and_environment_variable():
    assert {tag[0] for tag in man_tags("COMMANDS")} == help_commands()
    man_env = {w.rstrip(",") for tag in man_tags("ENVIRONMENT") for w in tag}
    assert help_environment() <= man_env
    # one table for every command (src/exit_status.h): the statuses --help lists
    statuses = {tag[0] for tag in man_tags("EXIT STATUS")}
    assert statuses == {line.split()[0] for line in help_section("Exit status:")
                        if line.startswith("  ") and line.split()[0].isdigit()}
    assert statuses == {"0", "1", "2", "3", "130"}
    for section in ("NAME", "SYNOPSIS", "DESCRIPTION", "FILES", "EXIT STATUS"):
        assert section in man_sections()


def test_the_manual_carries_the_version_of_meson_build():
    version = re.search(r"version\s*:\s*'([^']+)'", (ROOT / "meson.build").read_text()).group(1)
    assert f'"flickr-archive {version}"' in MAN.read_text().splitlines()[1]
    r = subprocess.run([BIN, "--version"], capture_output=True, text=True)
    assert r.stdout.startswith(f"flickr-archive {version} ")


def bash_complete(*words):
    script = (f"source {ROOT / 'completions' / 'flickr-archive.bash'}\n"
              f"COMP_WORDS=({' '.join(repr(w) for w in (BIN,) + words)})\n"
              f"COMP_CWORD={len(words)}\n_flickr_archive\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n")
    r = subprocess.run(["bash", "--norc", "-c", script], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return set(r.stdout.split())


def test_bash_completes_what_help_lists():
    assert bash_complete("") == help_commands()
    assert bash_complete("-") == help_options()
    assert bash_complete("sy") == {"sync"}
    assert bash_complete("--jobs", "4", "ver") == {"verify", "version"}
    assert bash_complete("--jobs", "") == set()  # a number of the user's own
    assert bash_complete("search", "be") == set()  # a query of the user's own
    assert bash_complete("import", str(ROOT / "READ")) == {str(ROOT / "README.md")}


def test_make_install_puts_the_page_and_completions_in_place(tmp_path):
    meson = shutil.which("meson")
    assert meson, "meson is needed to build the project"
    r = subprocess.run([meson, "install", "-C", str(BUILD), "--no-rebuild", "--quiet",
                        "--destdir", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    installed = {p.relative_to(tmp_path).as_posix().split("/share/", 1)[-1]
                 for p in tmp_path.rglob("*") if p.is_file()}
    assert {"man/man1/flickr-archive.1", "bash-completion/completions/flickr-archive",
            "zsh/site-functions/_flickr-archive"} <= installed
