//! One roster row as read from the file.

use super::Field;

/// A data record: the five mapped cells as they stand in the file.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Record {
    /// Physical line the record starts on (the header is line 1).
    pub line: u64,
    /// Cells in [`Field::ALL`] order; a field the row lacks is empty.
    pub cells: [String; 5],
    /// How many fields the row had in the file (compare with the header's).
    pub field_count: usize,
}

impl Record {
    /// A record from five values, as if read from a well-formed file.
    pub fn new(line: u64, cells: [String; 5]) -> Self {
        Record {
            line,
            cells,
            field_count: 5,
        }
    }

    pub fn cell(&self, field: Field) -> &str {
        &self.cells[field.index()]
    }

    /// The cells as string slices, for the rules.
    pub fn as_strs(&self) -> [&str; 5] {
        [0, 1, 2, 3, 4].map(|i| self.cells[i].as_str())
    }
}
