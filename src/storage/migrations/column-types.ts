/** Column type names per dialect: the only thing migrations need to know about a dialect. */
export interface ColumnTypes {
  uuid: string;
  ts: string;
  json: string;
  bool: string;
  text: string;
  int: string;
  float: string;
  /** `DEFAULT` clause value for "now" in canonical ISO form. */
  nowDefault: string;
}

export interface Migration {
  id: number;
  name: string;
  statements: (t: ColumnTypes) => string[];
}
