import Testing
@testable import ClusterCore

/// The TOML 1.0.0 parser: every kind of value and table it must read, every mistake it must
/// refuse with its line, column and message, and hostile input that must give an error rather
/// than a crash.
@Suite struct TOMLParserTests {
    static func parse(_ text: String) throws -> TOMLTable { try TOMLParser.parse(text) }

    // MARK: Valid documents

    @Test func commentsKeysAndLineEndings() throws {
        let text = "\u{FEFF}# a comment\r\nbare_key-1 = 1 # after\r\n\"quoted key\" = 2\n'lit.key' = 3\n\"\" = 4\n"
            + "a . b\t.  c = 5\n\"x\".'y'.z = 6\n1234 = 7\n# tab\tin a comment, and é\n"
        let doc = try Self.parse(text)
        #expect(doc.keys == ["bare_key-1", "quoted key", "lit.key", "", "a", "x", "1234"])
        #expect(doc["lit.key"] == .integer(3))
        #expect(doc[""] == .integer(4))
        #expect(doc["a"]?.table?["b"]?.table?["c"] == .integer(5))
        #expect(doc["a"]?.table?.kind == .dotted)
        #expect(doc["x"]?.table?["y"]?.table?["z"] == .integer(6))
        #expect(doc.line(for: "quoted key") == 3)
        #expect(doc.line(for: "a.b.c") == 6)
        #expect(try Self.parse("") == TOMLTable(kind: .document))
        #expect(try Self.parse("\u{FEFF}").isEmpty)
    }

    @Test func basicStringsAndEscapes() throws {
        let doc = try Self.parse(#"""
            a = "tab\there \"q\" back\\slash \b\f\n\r"
            b = "\u00e9\U0001F600\u0041"
            c = "tab	literal, é, 💡"
            d = ""
            """#)
        #expect(doc["a"] == .string("tab\there \"q\" back\\slash \u{8}\u{C}\n\r"))
        #expect(doc["b"] == .string("é😀A"))
        #expect(doc["c"] == .string("tab\tliteral, é, 💡"))
        #expect(doc["d"] == .string(""))
    }

    @Test func literalAndMultilineStrings() throws {
        let text = "a = 'C:\\path\\\"x\"'\n"
            + "b = \"\"\"\nfirst\n  second\"\"\"\n"
            + "c = \"\"\"\\\n    The quick \\\n\n    brown \\   \n  fox.\"\"\"\n"
            + "d = \"\"\"\"quoted\"\"\"\"\"\n"
            + "e = \"\"\"two \"\" quotes\"\"\"\n"
            + "f = '''\r\nraw \\n ''quotes'' '''''\n"
            + "g = \"\"\"crlf\r\nline\"\"\"\n"
            + "h = \"\"\"\"\"\"\n"
        let doc = try Self.parse(text)
        #expect(doc["a"] == .string("C:\\path\\\"x\""))
        #expect(doc["b"] == .string("first\n  second"))
        #expect(doc["c"] == .string("The quick brown fox."))
        #expect(doc["d"] == .string("\"quoted\"\""))
        #expect(doc["e"] == .string("two \"\" quotes"))
        #expect(doc["f"] == .string("raw \\n ''quotes'' ''"))
        #expect(doc["g"] == .string("crlf\nline"))
        #expect(doc["h"] == .string(""))
        #expect(doc.line(for: "h") == 16)
    }

    @Test func integers() throws {
        let doc = try Self.parse("""
            a = +99
            b = -17
            c = 0
            d = -0
            e = 1_000_000
            f = 0xDEAD_beef
            g = 0o755
            h = 0b1101_0110
            max = 9223372036854775807
            min = -9223372036854775808
            hexmax = 0x7FFFFFFFFFFFFFFF
            """)
        #expect(doc.keys.map { doc[$0]?.integer } == [99, -17, 0, 0, 1_000_000, 0xDEADBEEF, 0o755, 0b1101_0110, .max, .min, .max])
    }

    @Test func floats() throws {
        let doc = try Self.parse("""
            a = +1.0
            b = 3.1415
            c = -0.01
            d = 5e+22
            e = 1e06
            f = -2E-2
            g = 6.626e-34
            h = 224_617.445_991_228
            i = -0.0
            j = inf
            k = +inf
            l = -inf
            m = nan
            n = -nan
            o = 1e1_0
            """)
        #expect(doc["a"] == .float(1))
        #expect(doc["b"] == .float(3.1415))
        #expect(doc["c"] == .float(-0.01))
        #expect(doc["d"] == .float(5e22))
        #expect(doc["e"] == .float(1e6))
        #expect(doc["f"] == .float(-0.02))
        #expect(doc["g"] == .float(6.626e-34))
        #expect(doc["h"] == .float(224_617.445_991_228))
        #expect(doc["i"]?.float?.sign == .minus)
        #expect(doc["j"] == .float(.infinity) && doc["k"] == .float(.infinity) && doc["l"] == .float(-.infinity))
        #expect(doc["m"]?.float?.isNaN == true && doc["n"]?.float?.isNaN == true)
        #expect(doc["o"] == .float(1e10))
    }

    @Test func booleansAndDateTimes() throws {
        let doc = try Self.parse("""
            t = true
            f = false
            odt1 = 1979-05-27T07:32:00Z
            odt2 = 1979-05-27T00:32:00.999999-07:00
            odt3 = 1979-05-27 07:32:00+05:30
            odt4 = 1979-05-27t07:32:00z
            ldt = 1979-05-27T00:32:00.123456789
            ld = 2000-02-29
            lt = 23:59:60.5
            leap = 2024-02-29T12:00:00Z
            """)
        #expect(doc["t"] == .boolean(true) && doc["f"] == .boolean(false))
        func text(_ key: String) -> String? { doc[key]?.dateTime?.description }
        #expect(text("odt1") == "1979-05-27T07:32:00Z")
        #expect(text("odt2") == "1979-05-27T00:32:00.999999-07:00")
        #expect(text("odt3") == "1979-05-27T07:32:00+05:30")
        #expect(doc["odt3"]?.dateTime?.offsetMinutes == 330)
        #expect(text("odt4") == "1979-05-27T07:32:00Z")
        #expect(text("ldt") == "1979-05-27T00:32:00.123456789")
        #expect(doc["ldt"]?.dateTime?.kind == .localDateTime)
        #expect(doc["ld"]?.dateTime?.kind == .localDate)
        #expect(text("lt") == "23:59:60.5")
        #expect(doc["lt"]?.dateTime?.kind == .localTime)
        #expect(doc["leap"]?.dateTime?.kind == .offsetDateTime)
    }

    @Test func arrays() throws {
        let doc = try Self.parse("""
            empty = []
            mixed = [ 1, "two", 3.0, [4, [5]], { six = 6 }, 1979-05-27, ]
            multi = [ # a comment
              "a",

              "b" # another
              , "c",
            ]
            nested = [[1, 2], ['a', "b"]]
            """)
        #expect(doc["empty"]?.array?.isEmpty == true)
        let mixed = try #require(doc["mixed"]?.array)
        #expect(mixed.count == 6)
        #expect(mixed[3] == .array(TOMLArray(elements: [.integer(4), .array(TOMLArray(elements: [.integer(5)]))])))
        #expect(mixed[4].table?["six"] == .integer(6))
        #expect(mixed[4].table?.isInline == true)
        #expect(doc["multi"]?.array?.elements.compactMap(\.string) == ["a", "b", "c"])
        #expect(doc.line(for: "multi[1]") == 6)
        #expect(doc.line(for: "multi[2]") == 7)
        #expect(doc["multi"]?.array?.isArrayOfTables == false)
    }

    @Test func inlineTables() throws {
        let doc = try Self.parse("""
            name = { first = "Tom", last = "Preston-Werner" }
            point = {x=1,y=2}
            animal = { type.name = "pug", type.kind = 'dog' }
            empty = {}
            blank = { }
            nested = { a = { b = { c = 1 } }, d = [ { e = 2 } ] }
            """)
        #expect(doc["name"]?.table?.keys == ["first", "last"])
        #expect(doc["name"]?.table?.kind == .inline)
        #expect(doc["animal"]?.table?["type"]?.table?.keys == ["name", "kind"])
        #expect(doc["empty"]?.table?.isEmpty == true && doc["blank"]?.table?.isEmpty == true)
        #expect(doc["nested"]?.table?["a"]?.table?["b"]?.table?["c"] == .integer(1))
        #expect(doc.line(for: "nested.d[0].e") == 6)
    }

    @Test func tablesAndArraysOfTables() throws {
        let doc = try Self.parse("""
            top = 0
            [a.b.c]
            x = 1
            [a]
            y = 2
            [ a . d ]
            z = 3
            [fruit]
            apple.color = "red"
            apple.taste.sweet = true
            [fruit.apple.texture]
            smooth = true
            [[products]]
            name = "Hammer"
            [[products]]
            [[products]]
            name = "Nail"
            [products.dims]
            w = 1
            [[products.parts]]
            p = 1
            [[ products.parts ]]
            p = 2
            ["a.b"]
            q = 1
            """)
        #expect(doc.keys == ["top", "a", "fruit", "products", "a.b"])
        let a = try #require(doc["a"]?.table)
        #expect(a.kind == .header)
        #expect(a.keys == ["b", "y", "d"])
        #expect(a["b"]?.table?.kind == .implicit)
        #expect(a["b"]?.table?["c"]?.table?["x"] == .integer(1))
        #expect(doc["fruit"]?.table?["apple"]?.table?["texture"]?.table?["smooth"] == .boolean(true))
        let products = try #require(doc["products"]?.array)
        #expect(products.isArrayOfTables && products.count == 3)
        #expect(products[0].table?.kind == .arrayElement)
        #expect(products[1].table?.isEmpty == true)
        #expect(products[2].table?["dims"]?.table?["w"] == .integer(1))
        #expect(products[2].table?["parts"]?.array?.elements.map { $0.table?["p"] } == [.integer(1), .integer(2)])
        #expect(doc["a.b"]?.table?["q"] == .integer(1))
        #expect(doc.line(for: "a") == 4)
        #expect(doc.line(for: "a.b") == 2)
        #expect(doc.line(for: "products") == 13)
        #expect(doc.line(for: "products[1]") == 15)
        #expect(doc.line(for: "products[2].parts[1].p") == 23)
    }

    /// A table first named by a deeper header may later be opened by dotted keys of its parent.
    @Test func dottedKeysMayDefineATableADeeperHeaderNamed() throws {
        let doc = try Self.parse("[a.b.c]\nz = 1\n[a]\nb.d = 2\n[a.b.e]\n")
        #expect(doc["a"]?.table?["b"]?.table?.keys == ["c", "d", "e"])
    }

    // MARK: Refused documents

    struct Refused: CustomTestStringConvertible, Sendable {
        var text: String
        var line: Int
        var column: Int
        var message: String
        init(_ text: String, _ line: Int, _ column: Int, _ message: String) {
            (self.text, self.line, self.column, self.message) = (text, line, column, message)
        }
        var testDescription: String { String(reflecting: text).prefix(60) + "" }
    }

    static let refused: [Refused] = [
        // Keys and statements.
        Refused("name x", 1, 6, "expected '=' after the key \"name\", found 'x'"),
        Refused("name", 1, 5, "expected '=' after the key \"name\", found end of file"),
        Refused("a = 1 b = 2", 1, 7, "expected the end of the line after the value of \"a\", found 'b'"),
        Refused("= 1", 1, 1, "expected a key, found '='"),
        Refused("a. = 1", 1, 4, "expected a key, found '='"),
        Refused("\"\"\"a\"\"\" = 1", 1, 1, "expected a key, found a multi-line string (a key is on one line)"),
        Refused("a = ", 1, 5, "expected a value, found end of file"),
        Refused("a =\n1", 1, 4, "expected a value, found end of line"),
        Refused("enabled = yes", 1, 11, "expected a value, found 'yes' (a string is written in quotes)"),
        Refused("a = truely", 1, 9, "expected the end of the line after the value of \"a\", found 'l'"),
        Refused("a = 1\rb = 2", 1, 6, "expected the end of the line after the value of \"a\", found '\\r'"),
        Refused("\r", 1, 1, "expected a line feed after a carriage return, found end of file"),
        // Redefinitions.
        Refused("a = 1\nb = 2\nport = 1\nport = 2", 4, 1, "duplicate key \"port\" (first defined on line 3)"),
        Refused("a.b = 1\na.b = 2", 2, 1, "duplicate key \"a.b\" (first defined on line 1)"),
        Refused("a = 1\na.b = 2", 2, 1, "the key \"a\" is an integer (line 1), not a table"),
        Refused("x = 1\n\n\n\n[service]\n[service]", 6, 1, "table [service] defined twice (first on line 5)"),
        Refused("[a]\nb.c = 1\n[a.b]", 3, 1, "table [a.b] was already defined with dotted keys (line 2)"),
        Refused("a.b.c = 1\n[a.b]", 2, 1, "table [a.b] was already defined with dotted keys (line 1)"),
        Refused("[a.b]\n[a]\n[a]", 3, 1, "table [a] defined twice (first on line 2)"),
        Refused("[a.b.c]\nz = 1\n[a]\nb.c.t = 1", 4, 1, "cannot add to the table \"b.c\" with a dotted key: it was opened by a header (line 1)"),
        Refused("a = { b = 1 }\na.c = 2", 2, 1, "cannot add to the inline table \"a\" (line 1): an inline table is complete as written"),
        Refused("a = { b = 1 }\n[a]", 2, 1, "cannot open [a]: \"a\" is an inline table (line 1), not a table"),
        Refused("a = { b = 1 }\n[a.c]", 2, 1, "cannot open [a.c]: \"a\" is an inline table (line 1), not a table"),
        Refused("a = { b = {} }\n[a.b.c]", 2, 1, "cannot open [a.b.c]: \"a\" is an inline table (line 1), not a table"),
        Refused("a = [1]\n[[a]]", 2, 1, "cannot open [[a]]: \"a\" is an array (line 1), which is complete as written"),
        Refused("a = [{}]\n[[a]]", 2, 1, "cannot open [[a]]: \"a\" is an array (line 1), which is complete as written"),
        Refused("[[a]]\n[a]", 2, 1, "table [a] is already an array of tables (first [[a]] on line 1)"),
        Refused("[a]\n[[a]]", 2, 1, "cannot open [[a]]: \"a\" is already a table (line 1), not an array of tables"),
        Refused("[[x.a]]\n[x]\na.b = 1", 3, 1, "cannot add to \"a\" with a dotted key: it is an array of tables (first [[...]] on line 1)"),
        Refused("a = { b = 1, b = 2 }", 1, 14, "duplicate key \"b\" (first defined on line 1)"),
        Refused("a = { b = {}, b.c = 1 }", 1, 15, "cannot add to the inline table \"b\" (line 1): an inline table is complete as written"),
        // Headers.
        Refused("[a", 1, 3, "expected ']' to end the table header [a, found end of file"),
        Refused("[[a]\n", 1, 5, "expected ']]' to end the table header [[a, found end of line"),
        Refused("[ [a]]", 1, 3, "expected a key in the table header, found '['"),
        Refused("[a] b = 1", 1, 5, "expected the end of the line after the table header [a], found 'b'"),
        // Strings.
        Refused("a = \"\\q\"", 1, 6, "invalid escape \\q in a string (escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)"),
        Refused("a = \"\\x41\"", 1, 6, "invalid escape \\x in a string (escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)"),
        Refused("a = \"\\uD800\"", 1, 6, "\\uD800 is not a Unicode scalar value (no surrogates, at most 10FFFF)"),
        Refused("a = \"\\U00110000\"", 1, 6, "\\U00110000 is not a Unicode scalar value (no surrogates, at most 10FFFF)"),
        Refused("a = \"\\u12G4\"", 1, 10, "expected 4 hexadecimal digits after \\u, found 'G'"),
        Refused("a = \"abc", 1, 9, "expected '\"' to end the string, found end of file"),
        Refused("a = \"abc\nb = 1", 1, 9, "expected the string to end on its line, found end of line (a string of several lines is written in triple quotes)"),
        Refused("a = 'abc\n", 1, 9, "expected the string to end on its line, found end of line (a string of several lines is written in triple quotes)"),
        Refused("a = \"x\u{01}\"", 1, 7, "control character U+0001 in a string (write it as an escape such as \\u0001 in a \"...\" string)"),
        Refused("a = 'x\u{7F}'", 1, 7, "control character U+007F in a string (write it as an escape such as \\u0001 in a \"...\" string)"),
        Refused("a = \"\"\"x\u{00}\"\"\"", 1, 9, "control character U+0000 in a string (write it as an escape such as \\u0001 in a \"...\" string)"),
        Refused("a = '''x\ry'''", 1, 9, "control character U+000D in a string (write it as an escape such as \\u0001 in a \"...\" string)"),
        Refused("a = \"\"\"x\n", 2, 1, "expected \"\"\" to end the multi-line string, found end of file"),
        Refused("a = \"\"\"x\"\"\"\"\"\"", 1, 9, "expected the end of the multi-line string after \"\"\", found 3 more quotes (at most two may come before the closing \"\"\")"),
        Refused("a = \"\"\"x \\ y\"\"\"", 1, 10, "invalid escape \\  in a string (escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)"),
        Refused("a = \"x \\\ny\"", 1, 8, "invalid escape \\ at the end of a line (only in a \"\"\" string) in a string (escapes are \\b \\t \\n \\f \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX)"),
        Refused("# é \u{07} bell", 1, 5, "control character U+0007 in a comment"),
        Refused("a = 1 # x\u{7F}", 1, 10, "control character U+007F in a comment"),
        // Numbers.
        Refused("a = 99999999999999999999", 1, 5, "integer 99999999999999999999 does not fit in 64 bits (-9223372036854775808 to 9223372036854775807)"),
        Refused("a = 9223372036854775808", 1, 5, "integer 9223372036854775808 does not fit in 64 bits (-9223372036854775808 to 9223372036854775807)"),
        Refused("a = -9223372036854775809", 1, 5, "integer -9223372036854775809 does not fit in 64 bits (-9223372036854775808 to 9223372036854775807)"),
        Refused("a = 0x1_0000_0000_0000_0000", 1, 5, "integer 0x1_0000_0000_0000_0000 does not fit in 64 bits (-9223372036854775808 to 9223372036854775807)"),
        Refused("a = 012", 1, 5, "leading zeros are not allowed in a number, found '012'"),
        Refused("a = -0_1", 1, 6, "leading zeros are not allowed in a number, found '-0_1'"),
        Refused("a = 1__0", 1, 6, "an underscore in a number must be between two digits"),
        Refused("a = 1_", 1, 6, "an underscore in a number must be between two digits"),
        Refused("a = 1_.5", 1, 6, "an underscore in a number must be between two digits"),
        Refused("a = +0x10", 1, 5, "a hexadecimal, octal or binary integer takes no sign, found '+0x10'"),
        Refused("a = 0x", 1, 7, "expected a digit after '0x', found end of file"),
        Refused("a = 0o8", 1, 7, "expected a digit after '0o', found '8'"),
        Refused("a = 0X10", 1, 6, "expected the end of the line after the value of \"a\", found 'X'"),
        Refused("a = 1.", 1, 7, "expected a digit after the decimal point, found end of file"),
        Refused("a = .5", 1, 5, "expected a value, found '.'"),
        Refused("a = 1.e5", 1, 7, "expected a digit after the decimal point, found 'e'"),
        Refused("a = 1e", 1, 7, "expected the digits of the exponent, found end of file"),
        Refused("a = +", 1, 6, "expected a number after '+', found end of file"),
        Refused("a = Inf", 1, 5, "expected a value, found 'Inf' (a string is written in quotes)"),
        // Date-times.
        Refused("a = 1979-13-01", 1, 10, "month 13 does not exist (01 to 12)"),
        Refused("a = 1979-00-01", 1, 10, "month 0 does not exist (01 to 12)"),
        Refused("a = 1900-02-29", 1, 13, "day 29 does not exist in month 2 of 1900 (01 to 28)"),
        Refused("a = 2023-04-31", 1, 13, "day 31 does not exist in month 4 of 2023 (01 to 30)"),
        Refused("a = 1979-05-00", 1, 13, "day 0 does not exist in month 5 of 1979 (01 to 31)"),
        Refused("a = 1979-5-27", 1, 11, "expected 2 digits for the month, found '-'"),
        Refused("a = 1979-05-27T24:00:00", 1, 16, "hour 24 does not exist (00 to 23)"),
        Refused("a = 1979-05-27T23:60:00", 1, 19, "minute 60 does not exist (00 to 59)"),
        Refused("a = 1979-05-27T23:59:61", 1, 22, "second 61 does not exist (00 to 60)"),
        Refused("a = 1979-05-27T07:32", 1, 21, "expected ':' between the minute and the second of a time (seconds are required), found end of file"),
        Refused("a = 1979-05-27T07:32:00.", 1, 25, "expected the digits of a fraction of a second, found end of file"),
        Refused("a = 1979-05-27T07:32:00+24:00", 1, 25, "offset hour 24 does not exist (00 to 23)"),
        Refused("a = 1979-05-27T07:32:00+0700", 1, 27, "expected ':' between the hours and minutes of the offset, found '0'"),
        Refused("a = 1979-05-27T:07:32", 1, 16, "expected the hour of a date-time after 'T', found ':'"),
        Refused("a = 1979-05-27t", 1, 16, "expected the hour of a date-time after 't', found end of file"),
        Refused("a = 07:32:00Z", 1, 13, "expected the end of the line after the value of \"a\", found 'Z'"),
        Refused("a = 7:32:00", 1, 6, "expected the end of the line after the value of \"a\", found ':'"),
        // Arrays and inline tables.
        Refused("a = [1 2]", 1, 8, "expected ',' or ']' in an array, found '2'"),
        Refused("a = [,]", 1, 6, "expected a value, found ','"),
        Refused("a = [1,,]", 1, 8, "expected a value, found ','"),
        Refused("a = [1,\n2", 2, 2, "expected ',' or ']' to end the array opened on line 1, found end of file"),
        Refused("a = { b = 1, }", 1, 14, "expected a key after ',' in an inline table, found '}' (an inline table takes no trailing comma)"),
        Refused("a = { b = 1\n}", 1, 12, "expected ',' or '}' in an inline table, found end of line (an inline table is written on one line)"),
        Refused("a = {\nb = 1 }", 1, 6, "expected a key, found end of line"),
        Refused("a = { b }", 1, 9, "expected '=' after the key \"b\", found '}'"),
        // Columns count Unicode scalars, not bytes, and not a byte order mark.
        Refused("\u{FEFF}a = ?", 1, 5, "expected a value, found '?'"),
        Refused("\"é😀\" = 1 x", 1, 10, "expected the end of the line after the value of \"é😀\", found 'x'"),
        Refused("a = \"é\"\r\nb = \"é\" ?", 2, 9, "expected the end of the line after the value of \"b\", found '?'"),
    ]

    @Test(arguments: refused)
    func refusedWithLineColumnAndMessage(_ refused: Refused) {
        #expect(throws: TOMLSyntaxError(line: refused.line, column: refused.column, message: refused.message)) {
            try TOMLParser.parse(refused.text)
        }
    }

    /// The loader reports the parser's error as a syntax error of the file.
    @Test func loaderMapsTheErrorToASyntaxError() {
        #expect(throws: ConfigError.syntax(file: "/x.toml", line: 2, column: 1, message: "duplicate key \"a\" (first defined on line 1)")) {
            try ConfigLoader.parse(toml: "a = 1\na = 2\n", path: "/x.toml")
        }
    }

    // MARK: Hostile input

    @Test func deeplyNestedArraysAreRefusedNotACrash() {
        let bomb = "a = " + String(repeating: "[", count: 100_000)
        #expect(throws: TOMLSyntaxError(line: 1, column: 105, message: "arrays and inline tables nested more than 100 deep")) {
            try TOMLParser.parse(bomb)
        }
        let closed = "a = " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: TOMLSyntaxError.self) { try TOMLParser.parse(closed) }
        // 99 levels inside the key's own level are fine.
        let deep = "a = " + String(repeating: "[", count: 99) + String(repeating: "]", count: 99)
        #expect(throws: Never.self) { try TOMLParser.parse(deep) }
    }

    @Test func deeplyNestedInlineTablesAreRefusedNotACrash() {
        let bomb = "a = " + String(repeating: "{b=", count: 100_000)
        #expect(throws: TOMLSyntaxError.self) { try TOMLParser.parse(bomb) }
        do {
            _ = try TOMLParser.parse(bomb)
        } catch {
            // The 100th inline table is at the limit: its key would nest one more.
            #expect(error.message == "the key \"b\" nests tables more than 100 deep")
            #expect(error.line == 1)
        }
    }

    @Test func deeplyDottedKeysAndHeadersAreRefusedNotACrash() {
        let key = Array(repeating: "a", count: 100_000).joined(separator: ".")
        #expect(throws: TOMLSyntaxError(line: 1, column: 1, message: "a dotted key of more than 100 parts")) {
            try TOMLParser.parse(key + " = 1")
        }
        #expect(throws: TOMLSyntaxError(line: 1, column: 2, message: "a dotted key of more than 100 parts")) {
            try TOMLParser.parse("[" + key + "]")
        }
        // 60 levels of headers, then 60 of dotted keys: too deep together.
        let header = Array(repeating: "h", count: 60).joined(separator: ".")
        let dotted = Array(repeating: "d", count: 60).joined(separator: ".")
        #expect(throws: TOMLSyntaxError(line: 2, column: 1, message: "the key \"\(dotted)\" nests tables more than 100 deep")) {
            try TOMLParser.parse("[\(header)]\n\(dotted) = 1")
        }
    }

    /// Large inputs take linear time: many keys, many array elements, many `[[x]]`, long strings.
    @Test func largeInputsParse() throws {
        var text = ""
        for i in 0..<20_000 { text += "k\(i) = \(i)\n" }
        text += "arr = [" + String(repeating: "1,", count: 100_000) + "]\n"
        text += "s = \"" + String(repeating: "x", count: 200_000) + "\"\n"
        for _ in 0..<20_000 { text += "[[t]]\n" }
        let doc = try TOMLParser.parse(text)
        #expect(doc.keys.count == 20_003)
        #expect(doc["arr"]?.array?.count == 100_000)
        #expect(doc["t"]?.array?.count == 20_000)
        #expect(doc.line(for: "t[19999]") == 20_000 + 2 + 20_000)
    }
}
