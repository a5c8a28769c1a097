// Original file: protos/streamplatform/v1/accounts.proto


export interface Account {
  'id'?: (string);
  /**
   * What the person is called where others see them (chat messages' author).
   */
  'displayName'?: (string);
  /**
   * What the account may do beyond its own things (`operator`: the operator console).
   */
  'roles'?: (string)[];
}

export interface Account__Output {
  'id': (string);
  /**
   * What the person is called where others see them (chat messages' author).
   */
  'displayName': (string);
  /**
   * What the account may do beyond its own things (`operator`: the operator console).
   */
  'roles': (string)[];
}
